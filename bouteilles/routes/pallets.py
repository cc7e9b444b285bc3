"""The washing site's pallets: open one with its capacity, top it up from the clean
output, release it (full or early) with its label.

Each view loads, authorises, calls one service, commits once. A refused form is
shown again with what was typed and the reason (422).
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from ..db.database import get_session
from ..forms.base import Form
from ..forms.pallets import OpenPalletForm, TopUpForm
from ..services.errors import BouteillesError
from ..services.washing import pallets as service
from ..services.washing.site import active_types, crate_labels_pdf
from .formatting import register_filters
from .guard import guard_blueprint
from .refusals import refused_form

bp = Blueprint("pallets", __name__, url_prefix="/washing/pallets")
guard_blueprint(bp, "washing_work")
register_filters(bp)


def _open_form(form: OpenPalletForm) -> OpenPalletForm:
    form.type.choices = [(t.code, t.name) for t in active_types(get_session())
                         if t.family == "bottle"]
    return form


def _list_context(**extra) -> dict:
    db = get_session()
    return {"pallets": service.site_pallets(db, current_user.org_id),
            "form": _open_form(OpenPalletForm.blank()), **extra}


@bp.get("/")
def index():
    """The site's pallets: those being filled with their progress, then released ones."""
    return render_template("washing/pallets.html", **_list_context())


@bp.post("/")
def open_view():
    """Open an empty pallet of one type, to fill up to its capacity."""
    form = _open_form(OpenPalletForm())
    if not form.validate():
        return refused_form("washing/pallets.html", form, reread=_list_context)
    db = get_session()
    try:
        pallet = service.new_pallet(db, actor=current_user, type_code=form.type.data,
                                    capacity=form.capacity.data)
    except BouteillesError as exc:
        return refused_form("washing/pallets.html", form, exc,
                            field=getattr(exc, "field", None), reread=_list_context)
    db.commit()
    flash(gettext("Palette %(code)s ouverte.", code=pallet.code), "success")
    return redirect(url_for(".show", code=pallet.code))


def _top_up_form(form: TopUpForm, pallet) -> TopUpForm:
    form.source.choices = [("", "—")] + [
        (c.code, gettext("%(code)s · %(n)s bouteilles", code=c.code, n=c.quantity))
        for c in service.sources(get_session(), current_user.org_id, pallet.type_id)]
    return form


def _pallet_context(code: str, **extra) -> dict:
    """A pallet's page as the database holds it; its forms blank unless given."""
    db = get_session()
    pallet = service.get_pallet(db, current_user, code)
    room = max(0, pallet.capacity - pallet.quantity)
    top_up = _top_up_form(TopUpForm.blank(quantity=room or None), pallet)
    return {"pallet": pallet, "room": room, "label_code": service.label_code(db, pallet),
            "top_up_form": top_up, "release_form": Form.blank(), **extra}


@bp.get("/<code>")
def show(code: str):
    """One pallet: its progress to capacity, topping up, release and label."""
    return render_template("washing/pallet.html", **_pallet_context(code))


@bp.post("/<code>/top-up")
def top_up(code: str):
    """Add bottles from a clean crate of the site; never past the capacity."""
    db = get_session()
    pallet = service.get_pallet(db, current_user, code, for_update=True)
    form = _top_up_form(TopUpForm(), pallet)
    reread = partial(_pallet_context, pallet.code)
    if not form.validate():
        return refused_form("washing/pallet.html", form, form_name="top_up_form",
                            reread=reread)
    try:
        service.top_up(db, actor=current_user, pallet=pallet, source_code=form.source.data,
                       quantity=form.quantity.data)
    except BouteillesError as exc:
        return refused_form("washing/pallet.html", form, exc, form_name="top_up_form",
                            field=getattr(exc, "field", None), reread=reread)
    db.commit()
    if pallet.quantity >= pallet.capacity:
        flash(gettext("Palette pleine : %(n)s / %(capacity)s. Libérez-la et imprimez son "
                      "étiquette.", n=pallet.quantity, capacity=pallet.capacity), "success")
    else:
        flash(gettext("Palette à %(n)s / %(capacity)s.", n=pallet.quantity,
                      capacity=pallet.capacity), "success")
    return redirect(url_for(".show", code=pallet.code))


@bp.post("/<code>/release")
def release(code: str):
    """Release the pallet (full, or early by the operator's choice) with its label."""
    db = get_session()
    pallet = service.get_pallet(db, current_user, code, for_update=True)
    form = Form()
    reread = partial(_pallet_context, pallet.code)
    if not form.validate():
        return refused_form("washing/pallet.html", form, form_name="release_form",
                            reread=reread)
    try:
        service.release(db, actor=current_user, pallet=pallet)
    except BouteillesError as exc:
        return refused_form("washing/pallet.html", form, exc, form_name="release_form",
                            reread=reread)
    db.commit()
    flash(gettext("Palette %(code)s libérée : imprimez son étiquette.", code=pallet.code),
          "success")
    return redirect(url_for(".show", code=pallet.code))


@bp.get("/<code>/label.pdf")
def label(code: str):
    """The pallet's label (the crates' label sheet), to print at its release."""
    db = get_session()
    pallet = service.get_pallet(db, current_user, code)
    pdf = crate_labels_pdf(db, [pallet], current_app.config["BASE_URL"])
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="palette-{pallet.code}.pdf"'})
