"""Template helpers: the navigation for the current role, `may`, the coordination's
territory, the names of stored codes (states, container types, members)."""

from __future__ import annotations

from flask import Flask, current_app, g, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..db.database import get_session
from ..i18n import N_
from ..services import access
from ..services.pages.names import member_names, type_names
from ..vocabulary import STATE_LABELS
from .scoping import current_scope, national, national_admin

# (endpoint, French label, the capability that opens the page; None: everyone logged in)
NAV = [
    ("home.index", N_("Accueil"), None),
    ("scan.scan_page", N_("Scanner"), None),
    ("labels.form", N_("Étiquettes"), "print_labels"),
    ("restaurant.overview", N_("Mon restaurant"), "restaurant_pages"),
    ("loans.index", N_("Prêts de vaisselle"), "loan_pages"),
    ("collector.run", N_("Tournée"), "collection_run"),
    ("washing.index", N_("Lavage"), "washing_work"),
    ("washing.batches", N_("Lots"), "batch_pages"),
    ("winegrower.index", N_("Mes bouteilles"), "winegrower_work"),
    ("admin_watch.dashboard", N_("Coordination"), "coordination_pages"),
    ("stocktakes.index", N_("Inventaire"), "count_stock"),
    ("impact.dashboard", N_("Impact"), None),
    ("account.sessions", N_("Mon compte"), None),
]
# The account's own pages, listed under "Mon compte" in the phone menu (on a wide
# screen the account page links them): the password for everyone, API tokens for
# the kinds that use the API (docs/decisions.md, "Accounts and logins").
ACCOUNT_NAV = [
    ("account.password", N_("Mot de passe"), None),
    ("notifications.inbox", N_("Notifications"), None),
    ("account.tokens", N_("Jetons d'API"), "api_tokens"),
]
# A page that is part of another entry's section (a washing site's batches, linked
# from its Lavage pages) gets no link of its own next to that entry.
WITHIN = {"washing.batches": "washing.index"}


def may(capability: str) -> bool:
    """Whether the logged-in user has the capability (for templates)."""
    return current_user.is_authenticated and access.may(current_user, capability)


def nav_links() -> list[tuple[str, str]]:
    """Links of the top bar for the logged-in user (only endpoints that exist)."""
    shown = [
        (endpoint, label) for endpoint, label, capability in NAV
        if endpoint in current_app.view_functions and (capability is None or may(capability))
    ]
    endpoints = {endpoint for endpoint, _ in shown}
    return [(endpoint, label) for endpoint, label in shown
            if WITHIN.get(endpoint) not in endpoints]


def account_links() -> list[tuple[str, str]]:
    """The account's own pages the logged-in user uses (the phone menu lists them)."""
    return [(endpoint, label) for endpoint, label, capability in ACCOUNT_NAV
            if endpoint in current_app.view_functions and (capability is None or may(capability))]


def current_entry() -> str | None:
    """The menu entry of the page shown: its own, or the section it belongs to (the
    entry whose address is the longest start of the page's)."""
    if "menu_entry" not in g:
        entries = {url_for(e): e for e, _label in nav_links() + account_links()}
        within = [start for start in entries if start != "/" and request.path.startswith(start)]
        g.menu_entry = (request.endpoint if request.endpoint in entries.values()
                        else entries[max(within, key=len)] if within else None)
    return g.menu_entry


def is_current(endpoint: str) -> bool:
    """Whether the menu entry is the page shown or its section (aria-current)."""
    return current_entry() == endpoint


def coordination_title() -> str:
    """The coordination pages' title: "Coordination", with the territory's name for
    a territory's coordination ("Coordination — Jura")."""
    scope = current_scope()
    if scope.whole:
        return gettext("Coordination")
    return gettext("Coordination — %(territory)s", territory=scope.territory_name)


def state_label(state: str) -> str:
    """French name of a life-cycle state."""
    return STATE_LABELS.get(state, state)


def _names(kind: str, read) -> dict[str, str]:
    """Names by code, read once per request."""
    cache = g.setdefault("code_names", {})
    if kind not in cache:
        cache[kind] = read(get_session())
    return cache[kind]


def type_name(code: str) -> str:
    """A container type's name in the reader's language (its code if unknown)."""
    return gettext(_names("types", type_names).get(code, code))


def member_name(code: str) -> str:
    """A member organisation's name (its code if unknown)."""
    return _names("members", member_names).get(code, code)


def init_app(app: Flask) -> None:
    for _endpoint, _label, capability in NAV + ACCOUNT_NAV:
        if capability is not None:
            access.capability(capability)  # a name missing from the table fails at start-up
    app.jinja_env.globals.update(nav_links=nav_links, account_links=account_links,
                                 is_current=is_current, may=may, state_label=state_label,
                                 coordination_title=coordination_title,
                                 coordination_scope=current_scope, national=national,
                                 national_admin=national_admin,
                                 type_name=type_name, member_name=member_name)
