"""Printing QR labels from the browser (coordinator and washing sites).

One form prints sheets for codes that exist (pasted), the other mints new
codes onto a sheet, commissioned at once for a holder or on their first scan.
The answer is the PDF itself; one label can also be had as PNG or SVG.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..db.database import get_session
from ..i18n import translate
from ..models import ContainerType, Organisation
from ..services.errors import BouteillesError, ValidationError
from ..services.items.lookup import parse_code
from ..services.labels.minting import labels_for_codes, mint_labels, parse_code_list
from ..services.labels.rendering import LAYOUTS, render_png, render_sheet, render_svg
from .guard import guard_blueprint

bp = Blueprint("labels", __name__, url_prefix="/labels")
guard_blueprint(bp, "print_labels")
MAX_PAGE_LABELS = 2_000


def _choices() -> dict:
    session = get_session()
    types = session.scalars(select(ContainerType).where(ContainerType.active)
                            .order_by(ContainerType.family, ContainerType.code)).all()
    holders = session.scalars(select(Organisation).where(Organisation.active)
                              .order_by(Organisation.kind, Organisation.name)).all()
    return {"types": types, "holders": holders, "layouts": LAYOUTS,
            "gs1_enabled": bool(current_app.config.get("GS1_COMPANY_PREFIX"))}


def _form_page(values: dict, error: str | None = None, status: int = 200):
    return render_template("labels.html", values=values, error=error, **_choices()), status


def _int_field(values: dict, name: str, default: int, low: int, high: int) -> int:
    text = (values.get(name) or "").strip() or str(default)
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValidationError("« {field} » : un nombre entre {low} et {high}.",
                              field=name, low=low, high=high)
    return int(text)


def _sheet_options(values: dict) -> tuple[str, int, bool]:
    layout = values.get("layout") or "3x8"
    if layout not in LAYOUTS:
        raise ValidationError("Format de planche inconnu.")
    skip = _int_field(values, "skip", 0, 0, LAYOUTS[layout].per_page - 1)
    return layout, skip, bool(values.get("outlines"))


@bp.get("")
def form():
    """The two forms: print existing codes, or mint new ones."""
    return _form_page({"mode": "new", "layout": "3x8", "commission": "now", "count": "24"})


@bp.post("")
def print_sheet():
    """Answer the PDF sheet for the submitted form (or the form again with the error)."""
    values = request.form.to_dict()
    session = get_session()
    try:
        layout, skip, outlines = _sheet_options(values)
        if values.get("mode") == "existing":
            codes = parse_code_list(values.get("codes", ""))
            if len(codes) > MAX_PAGE_LABELS:
                raise ValidationError("Au plus {n} étiquettes à la fois.", n=MAX_PAGE_LABELS)
        else:
            count = _int_field(values, "count", 24, 1, MAX_PAGE_LABELS)
            now = values.get("commission") == "now"
            codes = mint_labels(session, actor=current_user, count=count,
                                type_code=values.get("type", ""),
                                holder_code=(values.get("holder") or None) if now else None,
                                commission=now)
        labels = labels_for_codes(session, codes, current_app.config, gs1=bool(values.get("gs1")))
        pdf = render_sheet(labels, layout=layout, skip=skip, outlines=outlines)
    except BouteillesError as exc:
        session.rollback()
        return _form_page(values, translate(exc.template, **exc.params), 422)
    session.commit()
    name = f"etiquettes-{date.today().isoformat()}-{len(labels)}.pdf"
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _one_label(code: str):
    canonical = parse_code(code)
    return labels_for_codes(get_session(), [canonical], current_app.config,
                            gs1=request.args.get("gs1") == "1")[0]


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
