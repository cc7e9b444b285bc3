"""What the pages built on the scanner's scripts carry: their config and their texts.

The scanner (/scan) and the counter component (the restaurant's counter, the
collector's run) read codes with the same scripts (static/scan/*.js). Their
page config says what the scripts cannot know on their own, from the one
place each rule lives: the names of actions and states (vocabulary.py), what
is proposed for a state and which deposit a move takes or gives back
(services/lifecycle.py), who may be named as a destination.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import current_app, render_template
from flask_babel import gettext
from sqlalchemy import select

from ..db.database import get_session
from ..i18n import get_locale, scanner_catalogue
from ..models import Organisation
from ..services.lifecycle import (
    DESTINATION_ACTIONS,
    decide,
    deposit_moves,
    field_rule,
    may_act,
    suggested_action,
)
from ..services.territories import scope_of
from ..vocabulary import LABELS, SCANNER_LISTS, STATES


def vocabulary_labels(lists: Iterable[str] = SCANNER_LISTS) -> dict[str, dict[str, str]]:
    """Names of actions, what they did, states, reasons (…), by list then code, in the
    reader's language: the scripts keep no copy of their own."""
    return {name: {code: gettext(label) for code, label in LABELS[name].items()}
            for name in lists}


def destinations(org: Organisation) -> list[dict]:
    """Organisations a user of `org` may name as `to` (deliver / collect), by name: the
    members of its territory (all, for a member of none). The API takes any member's
    code: a box going back to another territory is delivered there by code."""
    if not any(may_act(org.kind, action) for action in DESTINATION_ACTIONS):
        return []
    rows = get_session().execute(
        select(Organisation.code, Organisation.name, Organisation.kind)
        .where(Organisation.active.is_(True), scope_of(org).members())
        .order_by(Organisation.name)
    )
    return [{"code": code, "name": name, "kind": org_kind} for code, name, org_kind in rows]


def counter_config(org: Organisation, actions: Iterable[str], *, noun: str,
                   destinations: Iterable[dict] = (),
                   not_from: Mapping[str, Iterable[str]] | None = None,
                   usual_deposit_cents: int | None = None) -> dict:
    """The counter component's config: the page's actions (those this organisation may
    record), the one each state proposes, the deposit each move takes or gives back,
    and what the component shows (`noun`: "box" or "item")."""
    offered = [action for action in actions if may_act(org.kind, action)]
    moves = {}
    for action in offered:
        rules = {state: decide(action, state) for state in STATES}
        moves[action] = {state: list(deposit_moves(action, state, rule.to_state))
                         for state, rule in rules.items() if rule.outcome != "refused"}
    return {
        "org": {"code": org.code, "name": org.name, "kind": org.kind},
        "actions": offered,
        "suggested": {state: action for state in STATES
                      if (action := suggested_action(org.kind, state)) in offered},
        "deposit_moves": moves,
        "destinations": list(destinations),
        # The page names a destination (`to`) only where a scan needs one (deliver).
        "needs_destination": [action for action in offered
                              if field_rule(action, "to") == "required"],
        # Actions the page does not propose on what these organisations hold.
        "not_from": {action: list(codes) for action, codes in (not_from or {}).items()},
        "usual_deposit_cents": usual_deposit_cents,
        "undo_minutes": current_app.config.get("UNDO_MINUTES", 15),
        "noun": noun,
        "labels": vocabulary_labels((*SCANNER_LISTS, "anomalies")),
    }


def scanner_texts() -> dict:
    """The scripts' own texts in the reader's language (the page carries them)."""
    return scanner_catalogue(get_locale())


def render_scanner_page(template: str, **context) -> str:
    """A page of the scanner's scripts, with their texts in the reader's language."""
    context.setdefault("scanner_messages", scanner_texts())
    return render_template(template, **context)
