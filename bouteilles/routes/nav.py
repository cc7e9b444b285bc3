"""Template helpers: the navigation for the current role, `may`, state names."""

from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

from ..i18n import N_
from ..services import access
from ..vocabulary import STATE_LABELS

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
    ("impact.dashboard", N_("Impact"), None),
    ("account.sessions", N_("Mon compte"), None),
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


def state_label(state: str) -> str:
    """French name of a life-cycle state."""
    return STATE_LABELS.get(state, state)


def init_app(app: Flask) -> None:
    for _endpoint, _label, capability in NAV:
        if capability is not None:
            access.capability(capability)  # a name missing from the table fails at start-up
    app.jinja_env.globals.update(nav_links=nav_links, may=may, state_label=state_label)
