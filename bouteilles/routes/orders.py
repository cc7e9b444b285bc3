"""A restaurant's orders of clean boxes from a washing site, as winegrowers order
bottles (services/pages/winegrower.py): the site fulfils them by delivering
scanned boxes (/washing/requests)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..db.database import get_session
from ..forms.orders import BoxOrderForm
from ..services.errors import BouteillesError
from ..services.pages import winegrower as orders
from ..services.paging import page_number, paginate
from .formatting import register_filters
from .guard import guard_blueprint
from .refusals import refused_form

bp = Blueprint("orders", __name__, url_prefix="/restaurant/orders")
register_filters(bp)
guard_blueprint(bp, "restaurant_pages")


def _order_form(form: BoxOrderForm) -> BoxOrderForm:
    """The form choosing among box types and washing sites."""
    db = get_session()
    form.type.choices = [(t.code, t.name) for t in orders.order_types(db, "box")]
    form.site.choices = [(s.code, s.name) for s in orders.washing_sites(db)]
    return form


def _context() -> dict:
    """The page: the form (blank unless a refused one replaces it), the orders."""
    db = get_session()
    stmt = orders.requests_query(org_id=current_user.org_id)
    return {"form": _order_form(BoxOrderForm.blank()),
            "available": orders.availability(db, org_id=current_user.org_id, family="box"),
            "page": paginate(db, stmt, page_number(request.args.get("page")))}


@bp.get("/")
def index():
    """Order clean boxes; our orders, newest first."""
    return render_template("restaurant/orders.html", **_context())


@bp.post("/")
def create():
    """Ask a washing site for N clean boxes of a type."""
    form = _order_form(BoxOrderForm())
    if not form.validate():
        return refused_form("restaurant/orders.html", form, reread=_context)
    db = get_session()
    try:
        made = orders.create_request(db, actor=current_user, site_code=form.site.data,
                                     type_code=form.type.data, quantity=form.quantity.data,
                                     note=form.note.data)
    except BouteillesError as exc:
        return refused_form("restaurant/orders.html", form, exc, reread=_context)
    db.commit()
    flash(gettext("Commande envoyée : %(n)s × %(type)s.", n=made.quantity, type=made.type.name),
          "success")
    return redirect(url_for(".index"))


@bp.post("/<int:request_id>/cancel")
def cancel(request_id: int):
    """Withdraw an open order."""
    db = get_session()
    orders.cancel_request(db, orders.get_request(db, request_id, for_update=True),
                          actor=current_user)
    db.commit()
    flash(gettext("Commande annulée."), "success")
    return redirect(url_for(".index"))
