"""Coordinator pages: impact factor sets (list, add a new version, edit an unused one)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ..db.database import get_session
from ..forms.impact import FactorSetForm, NewFactorSetForm, form_of
from ..services.errors import BouteillesError
from ..services.impact import factor_sets as service
from ..services.impact.figures import FACTOR_KEYS
from ..services.paging import page_number
from ..services.periods import paris_today
from ..services.washing.batches import factor_set_in_force
from .admin import guard_coordination
from .refusals import refused_form

bp = Blueprint("factor_sets", __name__, url_prefix="/impact/factors")
guard_coordination(bp)


@bp.context_processor
def helpers() -> dict:
    return {"factor_keys": FACTOR_KEYS}


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
        form = form_of(base, NewFactorSetForm, code="", name=base.name,
                       valid_from=paris_today())
        return render_template("impact/factor_set_form.html", form=form, factor_set=None,
                               base=base)
    form = NewFactorSetForm.posted()
    context = {"factor_set": None, "base": None}
    if not form.validate():
        return refused_form("impact/factor_set_form.html", form, **context)
    try:
        created = service.create_factor_set(db, code=form.code.data, name=form.name.data,
                                             valid_from=form.valid_from.data,
                                             factors=form.factors())
    except BouteillesError as exc:
        return refused_form("impact/factor_set_form.html", form, exc, status=exc.status,
                            **context)
    db.commit()
    flash(gettext("Jeu de facteurs « %(code)s » ajouté.", code=created.code), "success")
    return redirect(url_for("factor_sets.show", code=created.code))


@bp.route("/<code>", methods=["GET", "POST"])
def show(code: str):
    """One set: read-only once a batch used it; editable before that."""
    db = get_session()
    factor_set = service.get_factor_set(db, code)
    used = service.batches_using(db, factor_set)
    context = {"factor_set": factor_set, "used": used, "base": None}
    if request.method == "GET":
        form = form_of(factor_set, FactorSetForm, name=factor_set.name,
                       valid_from=factor_set.valid_from.date())
        return render_template("impact/factor_set_form.html", form=form, **context)
    form = FactorSetForm.posted()
    if not form.validate():
        return refused_form("impact/factor_set_form.html", form, **context)
    try:
        service.update_factor_set(db, factor_set, name=form.name.data,
                                  valid_from=form.valid_from.data, factors=form.factors())
    except BouteillesError as exc:
        return refused_form("impact/factor_set_form.html", form, exc, status=exc.status,
                            **context)
    db.commit()
    flash(gettext("Modifications enregistrées."), "success")
    return redirect(url_for("factor_sets.show", code=factor_set.code))
