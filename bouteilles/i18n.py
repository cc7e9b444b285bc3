"""French first, English available: a small catalogue keyed by the French text.

Templates and messages are written in French; `translations/en/*.json` map
French source text to English. Missing entries fall back to French. The
locale comes from `?lang=`, remembered in the session, else the user's
setting, else French: the network works in French, so a phone set to English
still gets French until someone picks English (one tap in the top bar).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from . import vocabulary

LOCALES = ("fr", "en")
CATALOGUE_DIR = Path(__file__).parent / "translations"


@cache
def catalogue(locale: str) -> dict[str, str]:
    """All translations for a locale, merged from its JSON files and the vocabulary."""
    merged: dict[str, str] = {}
    for path in sorted((CATALOGUE_DIR / locale).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    # The labels of states, actions, kinds… are translated where they are defined;
    # a JSON entry for the same French text must say the same (tests/test_vocabulary.py).
    merged.update(vocabulary.translations(locale))
    return merged


def get_locale() -> str:
    """The locale of the current request."""
    wanted = request.args.get("lang")
    if wanted in LOCALES:
        session["lang"] = wanted
    locale = session.get("lang")
    if locale not in LOCALES and current_user and getattr(current_user, "locale", None):
        locale = current_user.locale
    return locale if locale in LOCALES else "fr"


def translate(text: str, /, **params: object) -> str:
    """Translate French source text, then fill its {named} fields.

    `text` is positional-only so a message may itself have a field named `text`.
    """
    locale = get_locale() if has_request_context() else "fr"
    result = text if locale == "fr" else catalogue(locale).get(text, text)
    return result.format(**params) if params else result


def format_cents(cents: int | None, locale: str | None = None) -> str:
    """Money for people: 1 234,50 € in French, €1,234.50 in English."""
    cents = cents or 0
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    if (locale or get_locale()) == "en":
        return f"{sign}€{euros:,}.{rest:02d}"
    return f"{sign}{euros:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=translate, get_locale=get_locale)
    app.jinja_env.filters["money"] = format_cents
