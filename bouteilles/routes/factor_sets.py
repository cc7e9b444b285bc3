"""Coordinator pages: impact factor sets (list, add a new version, edit an unused one)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..db.database import get_session
from ..i18n import translate
from ..services import periods
from ..services.errors import BouteillesError
from ..services.impact import factor_sets as service
from ..services.impact.figures import FACTOR_KEYS
from ..services.paging import page_number
from ..services.washing.batches import factor_set_in_force
from .admin import guard_coordination
from .impact import num

bp = Blueprint("factor_sets", __name__, url_prefix="/impact/factors")
guard_coordination(bp)


@bp.context_processor
def helpers() -> dict:
    return {"num": num, "factor_keys": FACTOR_KEYS}


def _form_of(factor_set, *, copy: bool) -> dict:
    """Form values prefilled from a set (a copy gets a fresh code and today's date)."""
    form = {"code": "" if copy else factor_set.code, "name": factor_set.name,
            "valid_from": date.today().isoformat() if copy
            else factor_set.valid_from.date().isoformat()}
    for f in factor_set.factors:
        form |= {f"value_{f.key}": str(f.value), f"unit_{f.key}": f.unit,
                 f"source_{f.key}": f.source}
    return form


def _factors_from(form) -> dict[str, service.FactorInput]:
    keys = [k[len("value_"):] for k in form if k.startswith("value_")]
    return {k: service.FactorInput(form.get(f"value_{k}", ""), form.get(f"unit_{k}", ""),
                                   form.get(f"source_{k}", "")) for k in keys[:50]}


def _day(form) -> date | None:
    raw = (form.get("valid_from") or "").strip()
    return periods.parse_day(raw) if raw else None


def _keys(form) -> list[str]:
    extra = sorted(k[len("value_"):] for k in form if k.startswith("value_")
                   and k[len("value_"):] not in FACTOR_KEYS)
    return list(FACTOR_KEYS) + extra


@bp.get("/")
def index():
    """Factor sets with their factors, units and sources; which ones batches used."""
    db = get_session()
    page = service.list_factor_sets(db, page=page_number(request.args.get("page")))
    in_force = factor_set_in_force(db)
    return render_template("impact/factor_sets.html", page=page, in_force=in_force)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """A new factor set: a copy of the one in force (or ?from=CODE) with edited values."""
    db = get_session()
    if request.method == "GET":
        base_code = request.args.get("from")
        base = service.get_factor_set(db, base_code) if base_code else factor_set_in_force(db)
        form = _form_of(base, copy=True)
        return render_template("impact/factor_set_form.html", form=form, factor_set=None,
                               keys=_keys(form), base=base)
    try:
        created = service.create_factor_set(
            db, code=request.form.get("code", ""), name=request.form.get("name", ""),
            valid_from=_day(request.form), factors=_factors_from(request.form))
    except BouteillesError as exc:
        db.rollback()
        return render_template("impact/factor_set_form.html", form=request.form,
                               factor_set=None, keys=_keys(request.form), base=None,
                               error=translate(exc.template, **exc.params)), exc.status
    db.commit()
    flash(translate("Jeu de facteurs « {code} » ajouté.", code=created.code), "success")
    return redirect(url_for("factor_sets.show", code=created.code))


@bp.route("/<code>", methods=["GET", "POST"])
def show(code: str):
    """One set: read-only once a batch used it; editable before that."""
    db = get_session()
    factor_set = service.get_factor_set(db, code)
    used = service.batches_using(db, factor_set)
    context = {"factor_set": factor_set, "used": used, "base": None}
    if request.method == "GET":
        form = _form_of(factor_set, copy=False)
        return render_template("impact/factor_set_form.html", form=form, keys=_keys(form),
                               **context)
    try:
        service.update_factor_set(db, factor_set, name=request.form.get("name", ""),
                                  valid_from=_day(request.form),
                                  factors=_factors_from(request.form))
    except BouteillesError as exc:
        db.rollback()
        return render_template("impact/factor_set_form.html", form=request.form,
                               keys=_keys(request.form),
                               error=translate(exc.template, **exc.params), **context), \
            exc.status
    db.commit()
    flash(translate("Modifications enregistrées."), "success")
    return redirect(url_for("factor_sets.show", code=factor_set.code))
