"""French first, English complete: Flask-Babel and gettext catalogues.

Templates, flash messages, reports and the services' refusals are written in
French, gettext's source language: the French text is the msgid. The
catalogues are `translations/<locale>/LC_MESSAGES/messages.po` (English
complete; French only for plural forms), compiled by `make translations`;
README, "Translations", says how to add a string. The locale comes from
`?lang=`, remembered in the session, else the user's setting, else French: the
network works in French, so a phone set to English still gets French until
someone picks English (one tap in the top bar). Moments are shown in
Europe/Paris, Flask-Babel's default time zone here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import flask_babel
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, gettext, ngettext, npgettext, pgettext
from flask_login import current_user

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
TIMEZONE = "Europe/Paris"
CATALOGUES = Path(__file__).parent / "translations"


def N_(text: str) -> str:
    """Mark French text kept in a table (a menu, a refusal of the life cycle) for
    `pybabel extract`: gettext's no-op. It is translated where it is shown."""
    return text


def select_locale() -> str:
    """Flask-Babel's locale selector: `?lang=` (remembered in the session), else the
    session's, else the user's setting, else French; French outside a request."""
    if not has_request_context():
        return DEFAULT_LOCALE
    wanted = request.args.get("lang")
    if wanted in LOCALES:
        session["lang"] = wanted
    locale = session.get("lang")
    if locale not in LOCALES and current_user and getattr(current_user, "locale", None):
        locale = current_user.locale
    return locale if locale in LOCALES else DEFAULT_LOCALE


def get_locale() -> str:
    """The locale being used: "fr" or "en" (French outside an app context)."""
    locale = flask_babel.get_locale()
    return str(locale) if locale else DEFAULT_LOCALE


@cache
def scanner_catalogue(locale: str) -> dict[str, str | list[str]]:
    """The scanner JavaScript's texts in `locale`: msgid → translation, or the list of
    plural forms for a counted text. The compile step (`make translations`) writes
    it next to the .mo, from the same .po; missing, the scanner shows French."""
    path = CATALOGUES / locale / "LC_MESSAGES" / "scan.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def init_app(app: Flask) -> None:
    Babel(app, default_locale=DEFAULT_LOCALE, default_timezone=TIMEZONE,
          locale_selector=select_locale)
    # A translation is text, escaped like any other value (Jinja's old-style
    # gettext), so a page reads the same whatever the catalogue holds.
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=False,
                                            pgettext=pgettext, npgettext=npgettext)
    app.jinja_env.globals.update(get_locale=get_locale)
    missing = [locale for locale in LOCALES
               if not (CATALOGUES / locale / "LC_MESSAGES" / "messages.mo").exists()]
    if missing:  # gettext would quietly fall back to French
        app.logger.warning("catalogues not compiled (%s): run `make translations`",
                           ", ".join(missing))
