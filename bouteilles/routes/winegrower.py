"""Winegrowers' pages: clean bottles available and reserved, what they hold, bottling,
requests to washing sites, and the history of what they received and filled."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.database import get_session
from ..i18n import translate
from ..services.errors import BouteillesError, Forbidden, ValidationError
from ..services.pages import winegrower
from ..services.paging import page_number, paginate
from ..services.payload import optional_int
from ..services.washing import site as washing
from .guard import guard_blueprint

bp = Blueprint("winegrower", __name__, url_prefix="/winegrower")
guard_blueprint(bp, "winegrower_work")


def _refused(template: str, exc: BouteillesError, **context):
    get_session().rollback()
    message = translate(exc.template, **exc.params)
    if isinstance(exc, washing.CodeRefused):
        message = f"« {exc.text} » : {message}"
    return render_template(template, error=message, **context), 422


def _stock_context(**extra):
    db = get_session()
    return {
        "available": winegrower.availability(db, org_id=current_user.org_id),
        "held": winegrower.held_by(db, current_user.org_id),
        "sites": winegrower.washing_sites(db), "types": winegrower.bottle_types(db),
        "request_form": {}, "fill_form": {}, **extra,
    }


@bp.get("/")
def index():
    """Clean bottles at the washing sites by model, reserved for us, held by us."""
    return render_template("winegrower/index.html", **_stock_context())


@bp.post("/requests")
def create_request():
    """Ask a washing site for N clean bottles of a model."""
    form = request.form.to_dict()
    db = get_session()
    try:
        raw = form.get("quantity", "").strip()
        quantity = optional_int(raw or None, field=translate("Quantité"), maximum=1_000_000)
        if quantity is None:
            raise ValidationError("Indiquez combien de bouteilles.")
        made = winegrower.create_request(db, actor=current_user, site_code=form.get("site", ""),
                                         type_code=form.get("type", ""), quantity=quantity,
                                         note=form.get("note"))
    except BouteillesError as exc:
        return _refused("winegrower/index.html", exc, **_stock_context(request_form=form))
    db.commit()
    flash(translate("Demande envoyée : {n} × {type}.", n=made.quantity, type=made.type.name),
          "success")
    return redirect(url_for(".requests_page"))


@bp.post("/fill")
def fill():
    """Bottling: the crates scanned or typed are filled."""
    form = request.form.to_dict()
    db = get_session()
    try:
        items = winegrower.record_fills(db, actor=current_user,
                                        codes=washing.parse_codes(form.get("codes", "")))
    except BouteillesError as exc:
        return _refused("winegrower/index.html", exc, **_stock_context(fill_form=form))
    db.commit()
    flash(translate("Mise en bouteille enregistrée : {n} bouteille(s).",
                    n=sum(getattr(i, "quantity", 1) if i.kind == "crate" else 1 for i in items)),
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
        raise Forbidden("Cette demande est celle d'un autre membre.")
    winegrower.cancel_request(db, wanted, actor=current_user)
    db.commit()
    flash(translate("Demande annulée."), "success")
    return redirect(url_for(".requests_page"))


@bp.get("/history")
def history():
    """What we received (deliveries to us) and filled."""
    db = get_session()
    page = paginate(db, winegrower.history_query(current_user.org_id),
                    page_number(request.args.get("page")))
    return render_template("winegrower/history.html", page=page)
