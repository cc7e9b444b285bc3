"""The gettext catalogues: complete in English, current with the sources, compiled.

The French text in the sources is the msgid. A text added or changed without
`make translations-update`, an English entry missing or left fuzzy, a .mo or a
scanner JSON older than its .po: each fails here, saying what to run.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import os
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_timezone, gettext, lazy_gettext, ngettext
from sqlalchemy import create_engine, text

from bouteilles import i18n
from bouteilles.services import errors
from bouteilles.services.items.public_page import DEFAULT_TYPE_NAMES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bouteilles"
CATALOGUES = i18n.CATALOGUES
LOCALES = ("en", "fr")


def _po(locale: str):
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def _entries(catalog) -> list:
    return [message for message in catalog if message.id]


def _scanner_messages():
    """scripts/scanner_messages.py, which the compile step runs."""
    spec = importlib.util.spec_from_file_location(
        "scanner_messages", ROOT / "scripts" / "scanner_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The msgids of the sources, extracted now as `make translations-extract` does
    (from the root, where pybabel reads its options: pyproject.toml, babel.cfg)."""
    out = tmp_path_factory.mktemp("extract") / "messages.pot"
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        status = CommandLineInterface().run(["pybabel", "-q", "extract", "-o", str(out)])
    finally:
        os.chdir(here)
    assert status in (0, None), "pybabel extract failed"
    with out.open("rb") as source:
        return {message.id for message in read_po(source) if message.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogues_are_current_with_the_sources(extracted, locale) -> None:
    """Every marked text of the sources is in each .po, and nothing else is."""
    in_po = {message.id for message in _entries(_po(locale))}
    new, gone = extracted - in_po, in_po - extracted
    assert not new and not gone, (
        f"{locale}/messages.po is stale: run `make translations-update`, then translate.\n"
        f"  not in the .po: {sorted(map(str, new))[:20]}\n"
        f"  no longer in the sources: {sorted(map(str, gone))[:20]}")


def test_every_french_text_has_an_english_translation() -> None:
    missing = [message.id for message in _entries(_po("en"))
               if message.fuzzy or not all(message.string if message.pluralizable
                                           else [message.string])]
    assert not missing, (
        f"{len(missing)} texts without a reviewed English translation in "
        f"en/LC_MESSAGES/messages.po (fill msgstr, remove `#, fuzzy`): {missing[:20]}")


def test_french_catalogue_holds_the_plural_forms() -> None:
    """French says "0 lot", "1 lot", "2 lots": its catalogue gives each counted text its
    two forms (the msgids themselves) and nothing else."""
    catalog = _po("fr")
    assert (catalog.num_plurals, catalog.plural_expr) == (2, "(n > 1)")
    for message in _entries(catalog):
        if message.pluralizable:
            assert tuple(message.string) == tuple(message.id) and not message.fuzzy, message.id
        else:
            assert message.string == "", message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_fields(locale) -> None:
    """A translation has the %(fields)s of its French text (what `pybabel compile` checks)."""
    problems = [(message.id, [str(e) for e in found])
                for message, found in _po(locale).check() if found]
    assert not problems, problems


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogues_match_their_po(locale) -> None:
    """What the app reads is compiled from the .po as it is: else `make translations`."""
    directory = CATALOGUES / locale / "LC_MESSAGES"
    compiled = io.BytesIO()
    write_mo(compiled, _po(locale))
    mo = directory / "messages.mo"
    assert mo.exists() and mo.read_bytes() == compiled.getvalue(), \
        f"{mo} is missing or older than its .po: run `make translations`"
    scanner = directory / "scan.json"
    expected = _scanner_messages().scanner_catalogue(directory / "messages.po")
    assert scanner.exists() and json.loads(scanner.read_text(encoding="utf-8")) == expected, \
        f"{scanner} is missing or stale: run `make translations`"


def test_scanner_catalogue_covers_the_scripts() -> None:
    """Every text the scanner's scripts mark has its English in the JSON they get."""
    msgids = _scanner_messages().scanner_msgids()
    assert "Code inconnu" in msgids  # the extraction still reads the scripts
    assert msgids <= set(i18n.scanner_catalogue("en"))


def _refusal_classes() -> set[str]:
    found, todo = set(), [errors.BouteillesError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def test_refusals_are_raised_translatable() -> None:
    """A refusal raised with a bare French string would never be translated, nor found
    by `pybabel extract`: its message is `_l(...)`, `lazy_ngettext(...)` or a name
    holding one (TOKEN_REFUSED, a cause's message)."""
    import bouteilles.services.backups  # noqa: F401  (its error class, for the walk)
    import bouteilles.services.washing.site  # noqa: F401

    classes = _refusal_classes() - {"FieldError", "InvalidInput"}
    bare = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            first = node.args[0]
            if name in classes and isinstance(first, (ast.Constant, ast.JoinedStr)):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, f"refusals raised with a bare string (use _l(...)): {bare}"


def test_default_type_names_are_translated(db_url) -> None:
    """The types the first migration creates are shown through `_()` on the public page:
    the catalogue carries their names (DEFAULT_TYPE_NAMES)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            names = set(conn.execute(text("SELECT name FROM container_types")).scalars())
    finally:
        engine.dispose()
    assert names <= set(DEFAULT_TYPE_NAMES)
    english = {message.id: message.string for message in _entries(_po("en"))}
    assert all(english.get(name) for name in DEFAULT_TYPE_NAMES)


def test_locale_and_plural_forms(app) -> None:
    with app.test_request_context("/?lang=en"):
        assert i18n.get_locale() == "en"
        assert gettext("Déconnexion") == "Log out"
        assert ngettext("%(num)s boîte", "%(num)s boîtes", 1) == "1 box"
        assert ngettext("%(num)s boîte", "%(num)s boîtes", 0) == "0 boxes"
    with app.test_request_context("/"):
        assert i18n.get_locale() == "fr"
        assert [ngettext("%(num)s boîte", "%(num)s boîtes", n) for n in (0, 1, 2)] == \
            ["0 boîte", "1 boîte", "2 boîtes"]
    # A refusal is written when shown, in the reader's language.
    refusal = errors.NotFound(lazy_gettext("Aucun lot %(id)s.", id=7))
    with app.app_context(), force_locale("en"):
        assert str(refusal) == "No batch 7."
    # Outside a request the app speaks French; the time zone is the network's.
    with app.app_context():
        assert i18n.get_locale() == "fr" and str(refusal) == "Aucun lot 7."
        assert str(get_timezone()) == "Europe/Paris"


def test_language_is_chosen_remembered_and_shown(client) -> None:
    assert "Se connecter" in client.get("/login").text
    english = client.get("/login?lang=en").text
    assert '<html lang="en">' in english and "Log in" in english
    assert "Log in" in client.get("/login").text  # remembered in the session
    assert "Se connecter" in client.get("/login?lang=fr").text


def test_a_refusal_is_answered_in_the_readers_language(client, actors, token_for, session):
    headers = token_for(actors["restaurant"])
    session.commit()
    french = client.get("/api/v1/items/ABCD", headers=headers)
    english = client.get("/api/v1/items/ABCD?lang=en", headers=headers)
    assert french.status_code == english.status_code == 422
    assert french.json["error"]["message"] == \
        "Code invalide : un code a 9 caractères, celui-ci en a 4."
    assert english.json["error"]["message"] == \
        "Invalid code: a code has 9 characters, this one has 4."
