"""The life cycle: the one place that decides what a scan may do to a thing.

A decision is one of three outcomes:

- ``allowed``: the normal move;
- ``anomaly``: a physically plausible skipped step (a box returned that was lent
  without a scan); accepted, because the scan records physical reality, and
  flagged for the coordinator;
- ``refused``: impossible on the record (anything on a rejected container, a
  second return with no lend between); the message says what the record shows
  and what to do.

The table below is data; the tests walk every (action, state) pair of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_
from ..vocabulary import ACTIONS, STATES
from . import access

NEW = None  # the "state" of a code that is not commissioned yet
# Actions no one scans: a batch's close, which the washing site's page records
# for a whole batch at once; an undo, a relabel and an ownership transfer, which
# name the item's record.
NOT_SCANNED = ("batch_close", "undo", "relabel", "transfer")
SCAN_ACTIONS = tuple(action for action in ACTIONS if action not in NOT_SCANNED)
# States of a thing that circulates: a rejected one has left the loop for good,
# a lost one is out of it until it turns up again (an anomaly, below).
LIVE_STATES = tuple(state for state in STATES if state not in ("rejected", "lost"))


@dataclass(frozen=True)
class Rule:
    outcome: str  # allowed | anomaly | refused
    to_state: str | None = None
    anomaly: str | None = None
    message: str | None = None


def ok(to_state: str) -> Rule:
    return Rule("allowed", to_state)


def flag(to_state: str, anomaly: str) -> Rule:
    return Rule("anomaly", to_state, anomaly)


def no(message: str) -> Rule:
    """A refusal; `message` is French (marked with N_), raised translated with the
    record's facts (services/items/lookup.record_facts)."""
    return Rule("refused", message=message)


# What the record shows, said once per state, reused by the refusals.
IN_USE = N_("L'objet est chez un client depuis le %(since)s (prêté par %(holder)s). "
              "Enregistrez d'abord son retour.")
DIRTY = N_("L'objet est sale (%(state_label)s) chez %(holder)s : il doit être lavé d'abord.")
WASHING = N_("L'objet est dans le lot %(batch)s en cours de lavage : clôturez le lot d'abord.")
REJECTED = N_("L'objet a été écarté (%(reason)s) le %(since)s : plus aucun mouvement possible.")
LOST = N_("L'objet est déclaré perdu depuis le %(since)s : faites enregistrer qu'il est "
          "retrouvé.")

TABLE: dict[str, dict[str | None, Rule]] = {
    "commission": {NEW: ok("clean")},
    "deliver": {
        "clean": ok("clean"),
        "collected": ok("collected"),
        "sorted": ok("sorted"),
        "returned": flag("collected", "skipped_collect"),
        "in_use": no(IN_USE),
        "washing": no(WASHING),
        "lost": no(LOST),
    },
    "lend": {
        "clean": ok("in_use"),
        "in_use": no(IN_USE),
        "returned": no(DIRTY),
        "collected": no(DIRTY),
        "sorted": no(DIRTY),
        "washing": no(WASHING),
        "lost": no(LOST),
    },
    "return": {
        "in_use": ok("returned"),
        "clean": flag("returned", "skipped_lend"),
        "lost": flag("returned", "found_on_return"),
        "returned": no(N_(
            "L'objet a déjà été rendu le %(since)s chez %(holder)s et n'a pas été prêté "
            "depuis : pas de second remboursement."
        )),
        "collected": no(N_("L'objet est déjà dans la collecte (%(state_label)s) chez "
                           "%(holder)s.")),
        "sorted": no(N_("L'objet est déjà trié chez %(holder)s, il attend le lavage.")),
        "washing": no(WASHING),
    },
    "collect": {
        "returned": ok("collected"),
        "collected": ok("collected"),
        "in_use": flag("collected", "skipped_return"),
        "clean": flag("collected", "collected_clean"),
        "lost": flag("collected", "found_on_collect"),
        "sorted": no(N_("L'objet est déjà trié chez %(holder)s : utilisez « livrer » pour le "
                        "déplacer.")),
        "washing": no(WASHING),
    },
    "sort": {
        "collected": ok("sorted"),
        "returned": ok("sorted"),
        "sorted": ok("sorted"),
        "in_use": flag("sorted", "skipped_return"),
        "clean": flag("sorted", "sorted_clean"),
        "lost": flag("sorted", "found_on_sort"),
        "washing": no(WASHING),
    },
    "wash": {
        "sorted": ok("washing"),
        "collected": flag("washing", "skipped_sort"),
        "returned": flag("washing", "skipped_sort"),
        "clean": flag("washing", "rewash"),
        "in_use": flag("washing", "skipped_return"),
        "lost": flag("washing", "found_on_wash"),
        "washing": no(N_("L'objet est déjà dans le lot %(batch)s.")),
    },
    "reject": {
        **{state: ok("rejected") for state in LIVE_STATES},
        "lost": flag("rejected", "found_on_reject"),
    },
    "lose": {
        "in_use": ok("lost"),
        "lost": no(N_("L'objet est déjà déclaré perdu depuis le %(since)s.")),
    },
    "find": {"lost": ok("in_use")},
    "batch_close": {"washing": ok("clean")},
    # The owner changes, nothing else: the thing stays where and as it is.
    "transfer": {state: ok(state) for state in LIVE_STATES},
}
TABLE["fill"] = TABLE["lend"]

# Refusals not written above, by action, for any other state.
DEFAULT_REFUSAL = {
    "commission": N_("Ce code est déjà en service (%(state_label)s chez %(holder)s)."),
    "lose": N_("Seul un objet prêté peut être déclaré perdu ; un objet cassé s'écarte "
               "(« écarter »)."),
    "find": N_("L'objet n'est pas déclaré perdu (%(state_label)s chez %(holder)s)."),
    "batch_close": N_("L'objet n'est pas en lavage (%(state_label)s)."),
    "transfer": N_("Seul un objet en circulation change de propriétaire ; celui-ci est "
                   "%(state_label)s."),
}


# A stock count (services/stocktakes.py) moves what it found where the record
# does not say: a `deliver` to the counting site, allowed where a delivery is
# (clean, collected, sorted; returned becomes collected), flagged
# `found_in_count`. What it did not find, the coordination may declare lost from
# any state of stock on a shelf; a box in a batch is the batch's to account for.
COUNT_ARRIVAL = "deliver"
COUNT_LOSS_STATES = ("clean", "in_use", "returned", "collected", "sorted")


def decide_count_arrival(state: str | None) -> Rule:
    """The rule of a thing counted at a site the record does not show holding it."""
    rule = decide(COUNT_ARRIVAL, state)
    if rule.outcome == "refused":
        return rule
    return flag(rule.to_state, "found_in_count")


def decide_count_loss(state: str | None) -> Rule:
    """The rule of a thing a stock count did not find, declared lost."""
    if state in COUNT_LOSS_STATES:
        return ok("lost")
    return decide("lose", state)


# A washing site's stock is moved by the site alone (sorted, washed, delivered): a
# collect there would put it back into a van and out of the site's count.
AT_THE_SITE = N_("L'objet a déjà été livré au site de lavage (%(holder)s) : seul le site le "
                 "déplace désormais (tri, lavage, livraison).")


def decide(action: str, state: str | None, *, reason: str | None = None,
           holder_kind: str | None = None, own: bool = False) -> Rule:
    """Return the rule for `action` on a thing in `state` (None: not commissioned),
    held by an organisation of `holder_kind` (None: not said), `own` when that is
    the organisation that scans."""
    if state is NEW and action != "commission":
        return no(N_("Ce code n'est pas encore en service : mettez-le en service d'abord."))
    if state == "rejected":
        return no(REJECTED)
    if action == "collect" and holder_kind == "washing_site" and not own:
        return no(AT_THE_SITE)
    rule = TABLE[action].get(state)
    if rule is None:
        return no(DEFAULT_REFUSAL.get(action, N_("Action impossible dans l'état "
                                                 "%(state_label)s.")))
    if action == "sort" and reason and rule.outcome != "refused":
        return Rule(rule.outcome, "rejected", rule.anomaly)
    return rule


def deposit_moves(action: str, from_state: str | None, to_state: str, *,
                  refund_rejected: bool = False) -> tuple[str, ...]:
    """The ledger entries a transition makes (when the thing carries a deposit).

    A deposit is taken at a lend, refunded at the return, forfeited when the box
    leaves a customer's hands any other way (lost, or found in the washing chain
    without a return scan) and reinstated when a lost box is found again. A box a
    customer brings back broken (rejected while in use) is refunded when the
    network says so (`refund_rejected`: the BROKEN_BOX_DEPOSIT setting), else its
    deposit is kept (forfeited).
    """
    if action == "lend" and from_state == "clean":
        return ("taken",)
    if from_state == "in_use" and to_state != "in_use":
        refunded = action == "return" or (action == "reject" and refund_rejected)
        return ("refunded",) if refunded else ("forfeited",)
    if from_state == "lost" and action == "find":
        return ("reinstated",)
    if from_state == "lost" and action == "return":
        return ("reinstated", "refunded")
    return ()


# Actions done on what the scanning organisation itself holds; a mismatch is
# accepted (the scan records where the thing really is) and flagged.
HOLDER_ACTIONS = frozenset({"lend", "fill", "sort", "wash"})

# The input a scan action takes besides its code: each field "required" or
# "optional", and a field not listed refused. `to` names the organisation the
# thing goes to: any action other than these keeps it with its holder or
# brings it to the scanning organisation, and a `to` there would let a scan
# write into another member's stock. `reason` says why a thing is rejected (a
# sort with one rejects). `quantity` is a crate's count as found.
FIELDS: dict[str, dict[str, str]] = {
    action: {"reason": "optional", "quantity": "optional"} for action in SCAN_ACTIONS}
FIELDS["deliver"]["to"] = "required"
FIELDS["collect"]["to"] = "optional"
FIELDS["reject"]["reason"] = "required"

DESTINATION_ACTIONS = frozenset(action for action, fields in FIELDS.items() if "to" in fields)


def field_rule(action: str, field: str) -> str | None:
    """Whether a scan of `action` takes `field`: "required", "optional" or None."""
    return FIELDS.get(action, {}).get(field)


def may_act(kind: str, action: str) -> bool:
    """Whether an organisation of this kind may record this scan action (the access
    table, `services/access.py`, says who may do what)."""
    return access.may(kind, action)


def takes_destination(action: str) -> bool:
    """Whether a scan of this action may name where the thing goes (`to`)."""
    return field_rule(action, "to") is not None


def next_holder(action: str, *, actor_org_id: int, to_org_id: int | None, holder_id: int,
                site_id: int | None = None) -> int:
    """Who holds the thing after the move: the named destination (deliver, collect),
    the washing site whose batch closes, the holder (reject, lose, find, deliver
    without a destination), else the organisation that scans."""
    if to_org_id is not None and takes_destination(action):
        return to_org_id
    if action == "batch_close" and site_id is not None:
        return site_id
    if action in ("reject", "lose", "find", "batch_close", "deliver"):
        return holder_id
    return actor_org_id


def anomaly_of(rule: Rule, action: str, *, holder_id: int, actor_org_id: int,
               actor_kind: str, recounted: bool = False) -> str | None:
    """What a permitted move is flagged with: the table's anomaly, else
    `unexpected_holder` for an action done on one's own stock (lend, fill, sort,
    wash) by a member the record does not show holding the thing, else `recount`
    for a crate whose count differs from the record's (`recounted`)."""
    if (rule.anomaly is None and action in HOLDER_ACTIONS and holder_id != actor_org_id
            and not access.may(actor_kind, "oversee_network")):
        return "unexpected_holder"
    if rule.anomaly is None and recounted:
        return "recount"
    return rule.anomaly


def batch_after(from_state: str | None, to_state: str, *, batch_id: int | None,
                joined_id: int | None) -> int | None:
    """The washing batch a thing belongs to after a move: the one its `wash`
    joined; none once it leaves washing other than rejected (a reject in the
    batch stays counted there); else the one it had."""
    if joined_id is not None:
        return joined_id
    if from_state == "washing" and to_state != "rejected":
        return None
    return batch_id


def completes_cycle(action: str, to_state: str | None) -> bool:
    """Whether the move ends a reuse cycle (a washing batch's close, clean)."""
    return action == "batch_close" and to_state == "clean"


def available_actions(kind: str, state: str, *, holder_kind: str | None = None,
                      own: bool = False) -> list[str]:
    """Scan actions this kind of organisation may take on a thing in `state` (held by
    an organisation of `holder_kind`, its own if `own`)."""
    return [
        action for action in SCAN_ACTIONS
        if may_act(kind, action)
        and decide(action, state, holder_kind=holder_kind, own=own).outcome != "refused"
    ]


SUGGESTED: dict[tuple[str, str], str] = {
    ("restaurant", "clean"): "lend",
    ("restaurant", "in_use"): "return",
    ("restaurant", "lost"): "return",
    ("event_organiser", "clean"): "lend",
    ("event_organiser", "in_use"): "return",
    ("collection_point", "in_use"): "return",
    ("collector", "returned"): "collect",
    ("collector", "in_use"): "collect",
    ("collector", "collected"): "deliver",
    ("washing_site", "collected"): "sort",
    ("washing_site", "returned"): "sort",
    ("washing_site", "sorted"): "wash",
    ("washing_site", "clean"): "deliver",
    ("winegrower", "clean"): "fill",
}


def suggested_action(kind: str, state: str) -> str | None:
    """The most likely action, offered as the big button on the scanner."""
    return SUGGESTED.get((kind, state))

