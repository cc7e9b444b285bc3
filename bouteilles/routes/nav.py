"""Template helpers: the navigation for the current role, state names."""

from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

from ..services.items import STATE_LABELS

# (endpoint, French label, kinds that see it; None: everyone logged in)
NAV = [
    ("home.index", "Accueil", None),
    ("scan.scan_page", "Scanner", None),
    ("labels.form", "Étiquettes", ("coordinator", "washing_site")),
    ("restaurant.overview", "Mon restaurant", {"restaurant"}),
    ("loans.index", "Prêts de vaisselle", {"restaurant", "coordinator", "event_organiser"}),
    ("collector.run", "Tournée", {"collector"}),
    ("washing.index", "Lavage", {"washing_site"}),
    ("washing.batches", "Lots", {"coordinator"}),
    ("winegrower.index", "Mes bouteilles", {"winegrower"}),
    ("admin_watch.dashboard", "Coordination", {"coordinator"}),
    ("impact.dashboard", "Impact", None),
    ("account.sessions", "Mon compte", None),
]


def nav_links() -> list[tuple[str, str]]:
    """Links of the top bar for the logged-in user (only endpoints that exist)."""
    kind = current_user.org.kind if current_user.is_authenticated else None
    return [
        (endpoint, label) for endpoint, label, kinds in NAV
        if endpoint in current_app.view_functions and (kinds is None or kind in kinds)
    ]


def state_label(state: str) -> str:
    """French name of a life-cycle state."""
    return STATE_LABELS.get(state, state)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(nav_links=nav_links, state_label=state_label)
