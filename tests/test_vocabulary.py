"""The one vocabulary: labelled in French (the catalogue translates the labels), and read
by the database's checks, the life cycle and the scanner, which keep no copy of their own."""

from __future__ import annotations

import ast
import json
import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext
from sqlalchemy import create_engine, inspect

from bouteilles import vocabulary
from bouteilles.db.database import get_session
from bouteilles.i18n import CATALOGUES, scanner_catalogue
from bouteilles.models import Base
from bouteilles.services import lifecycle
from bouteilles.services.items import lookup as items
from bouteilles.services.items.public_page import CONSUMER_STATES
from bouteilles.vocabulary import (
    ACTIONS,
    ANOMALIES,
    FAMILIES,
    LABELS,
    ORG_KINDS,
    REJECT_REASONS,
    SCANNER_LISTS,
    STATES,
    VOCABULARY,
    Action,
)

PACKAGE = Path(vocabulary.__file__).parent
ALL_TERMS = [(name, term) for name, terms in VOCABULARY.items() for term in terms]
# Every column that stores a vocabulary code, with the list it takes its values from.
COLUMNS = {
    ("containers", "state"): STATES, ("crates", "state"): STATES,
    ("events", "from_state"): STATES, ("events", "to_state"): STATES,
    ("events", "action"): ACTIONS, ("events", "reason"): REJECT_REASONS,
    ("events", "anomaly"): ANOMALIES, ("containers", "reject_reason"): REJECT_REASONS,
    ("crates", "reject_reason"): REJECT_REASONS, ("batch_rejects", "reason"): REJECT_REASONS,
    ("organisations", "kind"): ORG_KINDS, ("container_types", "family"): FAMILIES,
}
# The check constraints that list a vocabulary: (table, constraint name) → values.
CHECKS = {
    ("containers", "ck_containers_state"): STATES, ("crates", "ck_crates_state"): STATES,
    ("events", "ck_events_action"): ACTIONS, ("events", "ck_events_from_state"): STATES,
    ("events", "ck_events_to_state"): STATES,
    ("batch_rejects", "ck_batch_rejects_reason"): REJECT_REASONS,
    ("organisations", "ck_organisations_kind"): ORG_KINDS,
    ("container_types", "ck_container_types_family"): FAMILIES,
}


def _listed(sql: str) -> tuple[str, ...]:
    """The quoted values of a check constraint, in order (SQLite or PostgreSQL text)."""
    return tuple(re.findall(r"'([^']*)'", sql))


def test_the_vocabulary_imports_nothing_from_the_app() -> None:
    """Any layer may read it (lint-imports checks the same for the app's modules)."""
    tree = ast.parse(Path(vocabulary.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {"." * node.level + (node.module or "") for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "dataclasses"}, imported


def _english() -> dict[str, str]:
    with (CATALOGUES / "en" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id and not m.fuzzy}


ENGLISH = _english()


@pytest.mark.parametrize(("name", "term"), ALL_TERMS, ids=[f"{n}:{t.code}" for n, t in ALL_TERMS])
def test_every_term_has_a_french_label_the_catalogue_translates(name, term) -> None:
    assert re.fullmatch(r"[a-z][a-z_]*", term.code)
    labels = [term.label, term.done] if isinstance(term, Action) else [term.label]
    for label in labels:
        assert label and label.strip() == label
        assert ENGLISH.get(label), f"no English for {label!r} in messages.po"


def test_codes_are_unique_and_fit_their_columns() -> None:
    for terms in VOCABULARY.values():
        assert len({term.code for term in terms}) == len(terms)
    for (table, column), values in COLUMNS.items():
        length = Base.metadata.tables[table].c[column].type.length
        assert max(map(len, values)) <= length, (table, column)


def test_term_label_for_templates() -> None:
    assert vocabulary.term_label("done", "collect") == "Collecté"
    assert vocabulary.term_label("anomalies", "skipped_lend") == "prêt non scanné"
    assert vocabulary.term_label("states", "unheard_of") == "unheard_of"
    assert vocabulary.term_label("anomalies", None) == ""


def test_model_check_constraints_list_the_vocabulary() -> None:
    for (table, name), values in CHECKS.items():
        [check] = [c for c in Base.metadata.tables[table].constraints
                   if getattr(c, "name", None) == name]
        assert _listed(str(check.sqltext)) == values, name


def test_migrated_database_checks_list_the_vocabulary(db_url) -> None:
    """What the migrations wrote: a new code needs a migration, and this says so."""
    engine = create_engine(db_url)
    try:
        inspector = inspect(engine)
        found = {(table, check["name"]): _listed(check["sqltext"])
                 for table in {table for table, _ in CHECKS}
                 for check in inspector.get_check_constraints(table)}
    finally:
        engine.dispose()
    for key, values in CHECKS.items():
        assert found[key] == values, key


def test_life_cycle_speaks_the_vocabulary() -> None:
    assert set(lifecycle.SCAN_ACTIONS) == set(ACTIONS) - {"batch_close", "undo", "relabel",
                                                          "transfer"}
    assert set(lifecycle.TABLE) == set(ACTIONS) - {"undo", "relabel"}
    table_anomalies = set()
    for rules in lifecycle.TABLE.values():
        assert set(rules) <= set(STATES) | {lifecycle.NEW}
        for rule in rules.values():
            assert rule.to_state is None or rule.to_state in STATES
            if rule.anomaly:
                table_anomalies.add(rule.anomaly)
    # The three the movements add: a scan by a member not holding the thing, a
    # recount, a thing a stock count found where the record did not say.
    assert set(ANOMALIES) == table_anomalies | {"unexpected_holder", "recount",
                                                "found_in_count"}
    assert set(CONSUMER_STATES) == set(STATES)


def test_copies_left_to_switch_say_the_same() -> None:
    """services/items/lookup.py still has its own state names (routes/nav.py reads them)."""
    assert items.STATE_LABELS == vocabulary.STATE_LABELS


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_scanner_gets_the_vocabulary_from_its_page(app, client, actors, login, locale) -> None:
    login(actors["washing_site"])
    get_session().commit()
    page = client.get(f"/scan?lang={locale}").text
    config = json.loads(unescape(re.search(
        r'<script type="application/json" id="scan-config">(.*?)</script>', page, re.S)[1]))
    texts = json.loads(unescape(re.search(
        r'<script type="application/json" id="scan-i18n">(.*?)</script>', page, re.S)[1]))
    with app.app_context(), force_locale(locale):
        translated = {name: {code: gettext(label) for code, label in LABELS[name].items()}
                      for name in SCANNER_LISTS}
    assert config["labels"] == translated
    assert (config["labels"] == {name: LABELS[name] for name in SCANNER_LISTS}) == (locale == "fr")
    assert config["reasons"] == list(REJECT_REASONS)
    # The scripts' other texts: this locale's part of the catalogue, no copy of the labels.
    assert texts == scanner_catalogue(locale)
    assert not set(texts) & {label for name in SCANNER_LISTS for label in LABELS[name].values()}


# How the scanner's JavaScript names codes in its logic: comparisons, sets, button calls.
JS_CODE_USES = (
    r"""action\s*[!=]==\s*["'](\w+)["']""",
    r"""action:\s*["'](\w+)["']""",
    r"""actionButton\(\s*["'](\w+)["']""",
    r"""actions\.includes\(\s*["'](\w+)["']""",
    r"""labels\.(?:actions|done)\.(\w+)""",
)


def test_scanner_javascript_names_only_vocabulary_codes() -> None:
    """The labels come from the page; the few codes the scripts test by name must exist."""
    named: set[str] = set()
    for path in sorted((PACKAGE / "static" / "scan").glob("*.js")):
        source = path.read_text(encoding="utf-8")
        for pattern in JS_CODE_USES:
            named |= set(re.findall(pattern, source))
        for listed in re.findall(r"NEEDS_\w+ = new Set\(\[([^\]]*)\]\)", source):
            named |= set(re.findall(r"""["'](\w+)["']""", listed))
        for state in re.findall(r"""item\.state\s*[!=]==\s*["'](\w+)["']""", source):
            assert state in STATES, (path.name, state)
    assert named >= {"reject", "sort", "deliver", "commission"}  # the patterns still match
    assert named <= set(ACTIONS), named - set(ACTIONS)
