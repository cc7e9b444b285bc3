"""Printing QR labels from the browser (coordinator and washing sites).

One form prints sheets for codes that exist (pasted), the other mints new
codes onto a sheet, commissioned at once for a holder or on their first scan.
The answer is the PDF itself; one label can also be had as PNG or SVG.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..db.database import get_session
from ..forms.base import Text, _l
from ..forms.labels import ExistingLabelsForm, NewLabelsForm, labels_form
from ..models import ContainerType, Organisation
from ..services.errors import BouteillesError
from ..services.items.lookup import parse_code
from ..services.labels.minting import labels_for_codes, mint_labels
from ..services.labels.rendering import render_png, render_sheet, render_svg
from ..services.periods import paris_today
from .guard import guard_blueprint
from .refusals import refused_form
from .scoping import current_scope

bp = Blueprint("labels", __name__, url_prefix="/labels")
guard_blueprint(bp, "print_labels")


def _with_choices(form: NewLabelsForm) -> NewLabelsForm:
    """The new-codes form choosing among active types and holders."""
    session = get_session()
    types = session.scalars(select(ContainerType).where(ContainerType.active)
                            .order_by(ContainerType.family, ContainerType.code)).all()
    holders = session.scalars(select(Organisation).where(Organisation.active,
                                                         current_scope().members())
                              .order_by(Organisation.kind, Organisation.name)).all()
    form.type.choices = [(t.code, Text(t.name)) for t in types]
    form.holder.choices = [("", _l("Mon organisation")), *((o.code, o.name) for o in holders)]
    return form


def _page() -> dict:
    """The page: both forms (blank unless a refused one replaces it)."""
    return {"new_form": _with_choices(NewLabelsForm.blank()),
            "existing_form": ExistingLabelsForm.blank(),
            "gs1_enabled": bool(current_app.config.get("GS1_COMPANY_PREFIX"))}


@bp.get("")
def form():
    """The two forms: print existing codes, or mint new ones."""
    return render_template("labels.html", **_page())


@bp.post("")
def print_sheet():
    """Answer the PDF sheet for the submitted form (or the form again with the error)."""
    form = labels_form()
    existing = isinstance(form, ExistingLabelsForm)
    form_name = "existing_form" if existing else "new_form"
    if not existing:
        _with_choices(form)
    if not form.validate():
        return refused_form("labels.html", form, form_name=form_name, reread=_page)
    session = get_session()
    try:
        if existing:
            codes = form.codes.codes
        else:
            now = form.commission.data == "now"
            codes = mint_labels(session, actor=current_user, count=form.count.data,
                                type_code=form.type.data,
                                holder_code=(form.holder.data or None) if now else None,
                                commission=now)
        labels = labels_for_codes(session, codes, current_app.config, gs1=form.gs1.data,
                                  scope=current_scope())
        pdf = render_sheet(labels, layout=form.layout.data, skip=form.skip.data or 0,
                           outlines=form.outlines.data)
    except BouteillesError as exc:
        return refused_form("labels.html", form, exc, form_name=form_name, reread=_page)
    session.commit()
    name = f"etiquettes-{paris_today().isoformat()}-{len(labels)}.pdf"
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _one_label(code: str):
    canonical = parse_code(code)
    return labels_for_codes(get_session(), [canonical], current_app.config,
                            gs1=request.args.get("gs1") == "1", scope=current_scope())[0]


@bp.get("/<code>.png")
def label_png(code: str):
    """One label as PNG (size ?px=, 120 to 2000)."""
    label = _one_label(code)
    px = request.args.get("px", "480")
    size = int(px) if px.isdigit() and 120 <= int(px) <= 2000 else 480
    response = current_app.response_class(render_png(label, size_px=size), mimetype="image/png")
    response.headers["Content-Disposition"] = f'inline; filename="{label.code}.png"'
    return response


@bp.get("/<code>.svg")
def label_svg(code: str):
    """One label as SVG (a vector file for a print shop)."""
    label = _one_label(code)
    response = current_app.response_class(render_svg(label), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="{label.code}.svg"'
    return response
