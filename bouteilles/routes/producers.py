"""Producers' labels at the washing site: the coordination's table of winegrowers
(their wash-failure rate, counts, main reason, the "ne se lave pas" flag its
administrators set and clear), and a winegrower's own figures with the advice."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from ..db.database import get_session
from ..forms.pallets import FlagForm
from ..services import access
from ..services import producers as service
from ..services.errors import BouteillesError
from ..vocabulary import REASON_LABELS
from .admin import guard_coordination
from .formatting import register_filters
from .guard import guard_blueprint
from .refusals import refused_form
from .scoping import current_scope

bp = Blueprint("producers", __name__, url_prefix="/admin/producers")
guard_coordination(bp)  # every coordination user reads; its administrators flag
register_filters(bp)

grower_bp = Blueprint("grower_labels", __name__, url_prefix="/winegrower/labels")
guard_blueprint(grower_bp, "winegrower_work")


@bp.app_context_processor
def _reasons() -> dict:
    return {"failure_reason": lambda r: REASON_LABELS.get(r, r or "")}


def _table_context(**extra) -> dict:
    rows = service.producer_table(get_session(), current_scope())
    return {"rows": rows, "window": service.WINDOW_DAYS,
            "can_flag": access.may(current_user, "administer"),
            "flag_form": FlagForm.blank(), "forms": {}, **extra}


@bp.get("/")
def table():
    """The winegrowers of the territory: wash-failure rate over 90 days, flags."""
    return render_template("producers/table.html", **_table_context())


@bp.post("/<code>/flag")
def flag(code: str):
    """Flag the producer's labels "ne se lave pas", with a note."""
    form = FlagForm()
    if not form.validate():
        return refused_form("producers/table.html", form, form_name="posted",
                            reread=lambda: _table_context(forms={code: form}))
    db = get_session()
    try:
        made = service.flag_producer(db, actor=current_user, scope=current_scope(), code=code,
                                     note=form.note.data)
    except BouteillesError as exc:
        return refused_form("producers/table.html", form, exc, form_name="posted",
                            status=exc.status,
                            reread=lambda: _table_context(forms={code: form}))
    db.commit()
    flash(gettext("Étiquettes de %(name)s signalées « ne se lave pas ».", name=made.org.name),
          "success")
    return redirect(url_for(".table"))


@bp.post("/<code>/unflag")
def unflag(code: str):
    """Clear the flag (its row stays, with who cleared it and when)."""
    db = get_session()
    cleared = service.unflag_producer(db, actor=current_user, scope=current_scope(), code=code)
    db.commit()
    flash(gettext("Signalement des étiquettes de %(name)s levé.", name=cleared.org.name),
          "success")
    return redirect(url_for(".table"))


@grower_bp.get("/")
def mine():
    """The winegrower's own wash failures: 90 days, by month, reasons, the flag."""
    failures = service.grower_failures(get_session(), current_user.org_id)
    return render_template("producers/mine.html", failures=failures,
                           window=service.WINDOW_DAYS)
