"""A member's stock alerts on its own page (the restaurant's overview, the
winegrower's stock): the form, and saving it."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from flask_babel import gettext
from flask_login import current_user

from ..db.database import get_session
from ..forms.thresholds import ThresholdForm
from ..services.errors import BouteillesError
from ..services.stock_thresholds import set_thresholds, threshold_rows
from .refusals import refused_form


def context() -> dict:
    """What the page's alert form shows: each type with its clean stock, the form."""
    rows = threshold_rows(get_session(), current_user.org)
    return {"threshold_rows": rows, "threshold_form": ThresholdForm.for_rows(rows, posted=False)}


def save(template: str, reread: Callable[[], dict], done: str):
    """Save the posted minimums, then back to `done`; refused: the page again (422)
    with what was typed and each error next to its type."""
    db = get_session()
    form = ThresholdForm.for_rows(threshold_rows(db, current_user.org), posted=True)
    if not form.validate():
        return refused_form(template, form, form_name="threshold_form", reread=reread)
    try:
        set_thresholds(db, current_user.org, form.minimums())
    except BouteillesError as exc:
        return refused_form(template, form, exc, form_name="threshold_form", reread=reread)
    db.commit()
    flash(gettext("Alertes de stock enregistrées."), "success")
    return redirect(done + "#stock-alerts")
