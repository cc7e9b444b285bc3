"""The one vocabulary: labelled in both languages, and read by the database's checks,
the life cycle, the translations and the scanner, which keep no copy of their own."""

from __future__ import annotations

import ast
import json
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from bouteilles import vocabulary
from bouteilles.db.database import get_session
from bouteilles.i18n import catalogue
from bouteilles.models import Base
from bouteilles.services import lifecycle
from bouteilles.services.items import lookup as items
from bouteilles.services.items.public_page import CONSUMER_STATES
from bouteilles.vocabulary import (
    ACTIONS,
    ANOMALIES,
    FAMILIES,
    ORG_KINDS,
    REJECT_REASONS,
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


@pytest.mark.parametrize(("name", "term"), ALL_TERMS, ids=[f"{n}:{t.code}" for n, t in ALL_TERMS])
def test_every_term_has_a_french_and_an_english_label(name, term) -> None:
    assert re.fullmatch(r"[a-z][a-z_]*", term.code)
    assert term.fr.strip() == term.fr and term.fr and term.en.strip() == term.en and term.en
    if isinstance(term, Action):
        assert term.done_fr and term.done_en


def test_codes_are_unique_and_fit_their_columns() -> None:
    for terms in VOCABULARY.values():
        assert len({term.code for term in terms}) == len(terms)
    for (table, column), values in COLUMNS.items():
        length = Base.metadata.tables[table].c[column].type.length
        assert max(map(len, values)) <= length, (table, column)


def test_a_french_label_means_one_thing_in_english() -> None:
    seen: dict[str, str] = {}
    for _name, term in ALL_TERMS:
        pairs = [(term.fr, term.en)]
        if isinstance(term, Action):
            pairs.append((term.done_fr, term.done_en))
        for fr, en in pairs:
            assert seen.setdefault(fr, en) == en, fr


def test_term_label_for_templates() -> None:
    assert vocabulary.term_label("done", "collect") == "Collecté"
    assert vocabulary.term_label("anomalies", "skipped_lend") == "prêt non scanné"
    assert vocabulary.term_label("states", "unheard_of") == "unheard_of"
    assert vocabulary.term_label("anomalies", None) == ""


def test_translation_files_agree_with_the_vocabulary() -> None:
    """i18n translates the labels from the vocabulary; a JSON entry for the same French
    text that said otherwise would be a second, dead definition."""
    english = vocabulary.translations("en")
    for path in sorted((PACKAGE / "translations" / "en").glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        wrong = {fr: (en, english[fr]) for fr, en in entries.items()
                 if fr in english and en != english[fr]}
        assert not wrong, f"{path.name}: {wrong}"
    assert english.items() <= catalogue("en").items()


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
    assert set(lifecycle.SCAN_ACTIONS) == set(ACTIONS) - {"batch_close"}
    assert set(lifecycle.TABLE) == set(ACTIONS)
    table_anomalies = set()
    for rules in lifecycle.TABLE.values():
        assert set(rules) <= set(STATES) | {lifecycle.NEW}
        for rule in rules.values():
            assert rule.to_state is None or rule.to_state in STATES
            if rule.anomaly:
                table_anomalies.add(rule.anomaly)
    # The two the movements add: a scan by a member not holding the thing, a recount.
    assert set(ANOMALIES) == table_anomalies | {"unexpected_holder", "recount"}
    assert set(CONSUMER_STATES) == set(STATES)


def test_copies_left_to_switch_say_the_same() -> None:
    """services/items/lookup.py still has its own state names (routes/nav.py reads them)."""
    assert items.STATE_LABELS == vocabulary.STATE_LABELS


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_scanner_gets_the_vocabulary_from_its_page(client, actors, login, locale) -> None:
    login(actors["washing_site"])
    get_session().commit()
    page = client.get(f"/scan?lang={locale}").text
    config = json.loads(unescape(re.search(
        r'<script type="application/json" id="scan-config">(.*?)</script>', page, re.S)[1]))
    texts = json.loads(unescape(re.search(
        r'<script type="application/json" id="scan-i18n">(.*?)</script>', page, re.S)[1]))
    assert config["labels"] == vocabulary.scanner_labels(locale)
    assert config["reasons"] == list(REJECT_REASONS)
    assert not texts.keys() & config["labels"].keys()  # no second copy in the page's texts


# How the scanner's JavaScript names codes in its logic: comparisons, sets, button calls.
JS_CODE_USES = (
    r"""action\s*[!=]==\s*["'](\w+)["']""",
    r"""action:\s*["'](\w+)["']""",
    r"""actionButton\(\s*["'](\w+)["']""",
    r"""actions\.includes\(\s*["'](\w+)["']""",
    r"""t\.(?:actions|done)\.(\w+)""",
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
