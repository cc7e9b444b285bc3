"""Template globals shared by the restaurant, loan, collector and coordinator pages.

Numbers, money, masses, dates and times are the app-wide filters of
`bouteilles/formatting.py`.
"""

from __future__ import annotations

from flask import Blueprint, current_app

from ..vocabulary import term_label


def has_endpoint(endpoint: str) -> bool:
    """Whether a page exists in this app (links to optional areas)."""
    return endpoint in current_app.view_functions


def register_filters(bp: Blueprint) -> None:
    """Make the globals available to every template once `bp` is registered."""
    bp.add_app_template_global(has_endpoint, "has_endpoint")
    # term_label("anomalies", code): French, for `_()` to translate like any text.
    bp.add_app_template_global(term_label, "term_label")
