"""Template filters shared by the restaurant, loan, collector and coordinator pages.

Money is the app-wide `money` filter (i18n.format_cents).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app

from ..i18n import translate
from ..models import utcnow
from ..services.deposits import PARIS
from ..vocabulary import term_label


def paris_time(moment: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A UTC moment shown in Europe/Paris time."""
    return "" if moment is None else moment.astimezone(PARIS).strftime(fmt)


def age(since: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in days and hours ("3 j 4 h")."""
    if since is None:
        return ""
    seconds = max(0, int(((now or utcnow()) - since).total_seconds()))
    days, hours = seconds // 86400, seconds % 86400 // 3600
    if days:
        return translate("{d} j {h} h", d=days, h=hours)
    return translate("{h} h {m} min", h=hours, m=seconds % 3600 // 60)


def has_endpoint(endpoint: str) -> bool:
    """Whether a page exists in this app (links to optional areas)."""
    return endpoint in current_app.view_functions


def register_filters(bp: Blueprint) -> None:
    """Make the filters available to every template once `bp` is registered."""
    bp.add_app_template_filter(paris_time, "paris_time")
    bp.add_app_template_filter(age, "age")
    bp.add_app_template_global(has_endpoint, "has_endpoint")
    # term_label("anomalies", code): French, for `_()` to translate like any text.
    bp.add_app_template_global(term_label, "term_label")
