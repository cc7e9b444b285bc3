"""Winegrowers' pages: clean bottles available and reserved, what they hold, bottling,
requests to washing sites, and the history of what they received and filled."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..db.database import get_session
from ..forms.winegrower import BottleRequestForm, FillForm
from ..services import bottle_models
from ..services.errors import BouteillesError, Forbidden
from ..services.items.ownership import owned_total
from ..services.pages import winegrower
from ..services.paging import page_number, paginate
from ..services.producers import standing_flag
from ..services.washing.pallets import ready_pallets
from . import stock_alerts
from .guard import guard_blueprint
from .refusals import refused_form

bp = Blueprint("winegrower", __name__, url_prefix="/winegrower")
guard_blueprint(bp, "winegrower_work")


def _request_form(form: BottleRequestForm) -> BottleRequestForm:
    """The request form choosing among bottle models and washing sites."""
    db = get_session()
    form.type.choices = [(t.code, bottle_models.type_with_model(t))
                         for t in winegrower.bottle_types(db)]
    form.site.choices = [(s.code, s.name) for s in winegrower.washing_sites(db)]
    return form


def _stock_context() -> dict:
    """The page: stock, and its two forms (blank unless a refused one replaces it)."""
    db = get_session()
    return {
        "available": winegrower.availability(db, org_id=current_user.org_id),
        "held": winegrower.held_by(db, current_user.org_id),
        "owned": owned_total(db, current_user.org_id),
        "request_form": _request_form(BottleRequestForm.blank()),
        "fill_form": FillForm.blank(),
        "ready_pallets": ready_pallets(db),
        "label_flag": standing_flag(db, current_user.org_id),
        **stock_alerts.context(),
    }


@bp.get("/")
def index():
    """Clean bottles at the washing sites by model, reserved for us, held by us."""
    return render_template("winegrower/index.html", **_stock_context())


@bp.post("/requests")
def create_request():
    """Ask a washing site for N clean bottles of a model."""
    form = _request_form(BottleRequestForm())
    if not form.validate():
        return refused_form("winegrower/index.html", form, form_name="request_form",
                            reread=_stock_context)
    db = get_session()
    try:
        made = winegrower.create_request(db, actor=current_user, site_code=form.site.data,
                                         type_code=form.type.data, quantity=form.quantity.data,
                                         note=form.note.data)
    except BouteillesError as exc:
        return refused_form("winegrower/index.html", form, exc, form_name="request_form",
                            reread=_stock_context)
    db.commit()
    flash(gettext("Demande envoyée : %(n)s × %(type)s.", n=made.quantity, type=made.type.name),
          "success")
    return redirect(url_for(".requests_page"))


@bp.post("/stock-alerts")
def save_stock_alerts():
    """Set the minimums of clean bottles below which we are told."""
    return stock_alerts.save("winegrower/index.html", _stock_context, url_for(".index"))


@bp.post("/fill")
def fill():
    """Bottling: the crates scanned or typed are filled."""
    form = FillForm()
    if not form.validate():
        return refused_form("winegrower/index.html", form, form_name="fill_form",
                            reread=_stock_context)
    db = get_session()
    try:
        items = winegrower.record_fills(db, actor=current_user, codes=form.codes.codes)
    except BouteillesError as exc:
        return refused_form("winegrower/index.html", form, exc, field="codes",
                            form_name="fill_form", reread=_stock_context)
    db.commit()
    bottles = sum(getattr(i, "quantity", 1) if i.kind == "crate" else 1 for i in items)
    flash(ngettext("Mise en bouteille enregistrée : %(num)s bouteille.",
                   "Mise en bouteille enregistrée : %(num)s bouteilles.", bottles),
          "success")
    return redirect(url_for(".index"))


@bp.get("/requests")
def requests_page():
    """Our requests, newest first."""
    db = get_session()
    status = request.args.get("status") or None
    stmt = winegrower.requests_query(org_id=current_user.org_id, status=status)
    return render_template("winegrower/requests.html", status=status,
                           page=paginate(db, stmt, page_number(request.args.get("page"))))


@bp.post("/requests/<int:request_id>/cancel")
def cancel(request_id: int):
    """Withdraw an open request."""
    db = get_session()
    wanted = winegrower.get_request(db, request_id, for_update=True)
    if wanted.org_id != current_user.org_id:
        raise Forbidden(_l("Cette demande est celle d'un autre membre."))
    winegrower.cancel_request(db, wanted, actor=current_user)
    db.commit()
    flash(gettext("Demande annulée."), "success")
    return redirect(url_for(".requests_page"))


@bp.get("/history")
def history():
    """What we received (deliveries to us) and filled."""
    db = get_session()
    page = paginate(db, winegrower.history_query(current_user.org_id),
                    page_number(request.args.get("page")))
    return render_template("winegrower/history.html", page=page)
