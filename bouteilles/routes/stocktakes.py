"""Stock counts (inventaire): a member counts its stock of a type (the camera, a
scanner gun, typed or pasted codes), reads the count's report; the coordination
lists its members' counts and answers their differences (missing ones lost, or
left as the record shows)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..db.database import get_session
from ..forms.stocktakes import ResolveForm, StocktakeForm
from ..models import ContainerType, Organisation, Stocktake, User
from ..reports.csv_report import table_csv
from ..reports.tables import Column, Table
from ..services import access, stocktakes
from ..services.errors import BouteillesError, Forbidden
from ..vocabulary import STATE_LABELS
from .guard import guard_blueprint
from .refusals import refused_form
from .scanner_page import render_scanner_page, scanner_texts
from .scoping import current_scope

bp = Blueprint("stocktakes", __name__, url_prefix="/stocktakes")
guard_blueprint(bp, "count_stock")


def _counts_for_others() -> bool:
    """A coordination's administrator counts its members' stock (picks the site)."""
    return access.may(current_user, "administer")


def _form(form: StocktakeForm) -> StocktakeForm:
    db = get_session()
    form.type.choices = [("", "—")] + [
        (t.code, t.name) for t in db.scalars(select(ContainerType).where(
            ContainerType.active.is_(True)).order_by(ContainerType.name))]
    if _counts_for_others():
        form.site.choices = [(o.code, o.name) for o in db.scalars(
            select(Organisation).where(current_scope().members(), Organisation.active.is_(True))
            .order_by(Organisation.name))]
    else:
        form.site.choices = [(current_user.org.code, current_user.org.name)]
        form.site.data = current_user.org.code
    return form


def _load(stocktake_id: int) -> Stocktake:
    stocktake = get_session().get(Stocktake, stocktake_id)
    if stocktake is None:
        abort(404)
    if not stocktakes.may_read(current_user, stocktake):
        raise Forbidden(gettext("Cet inventaire est celui d'un autre membre."))
    return stocktake


@bp.get("/")
def index():
    """The counts the reader sees: its own, or its members' for the coordination."""
    db = get_session()
    overseer = access.may(current_user, "oversee_network")
    rows = stocktakes.stocktake_list(db, current_scope(),
                                     site_id=None if overseer else current_user.org_id)
    return render_template("stocktakes/index.html", rows=rows, overseer=overseer)


@bp.get("/new")
def new():
    """The count page: pick a type, scan or type the codes, finish."""
    return render_scanner_page("stocktakes/new.html", form=_form(StocktakeForm.blank()))


@bp.post("/new")
def create():
    """Record the count; its report."""
    form = _form(StocktakeForm())
    if not form.validate():
        return refused_form("stocktakes/new.html", form, scanner_messages=scanner_texts())
    db = get_session()
    try:
        counted = stocktakes.take_stock(
            db, actor=current_user, site=form.site.data or current_user.org.code,
            type_code=form.type.data, codes=form.codes.codes, quantity=form.quantity.data)
    except BouteillesError as refusal:
        return refused_form("stocktakes/new.html", form, refusal,
                            scanner_messages=scanner_texts())
    db.commit()
    flash(gettext("Inventaire enregistré."), "success")
    return redirect(url_for("stocktakes.show", stocktake_id=counted.id))


@bp.get("/<int:stocktake_id>")
def show(stocktake_id: int):
    """The count's report: its figures, and each difference by name."""
    stocktake = _load(stocktake_id)
    lines = stocktakes.stocktake_lines(get_session(), stocktake)
    counter = get_session().get(User, stocktake.counted_by_id) if stocktake.counted_by_id \
        else None
    answers = stocktakes.may_resolve(current_user, stocktake)
    return render_template("stocktakes/show.html", stocktake=stocktake, lines=lines,
                           counter=counter, answers=answers, form=ResolveForm.blank())


@bp.get("/<int:stocktake_id>.csv")
def download(stocktake_id: int):
    """The count's report as a CSV file (French spreadsheets: `;`)."""
    stocktake = _load(stocktake_id)
    outcomes = {"missing": gettext("manquant"), "unexpected": gettext("inattendu")}
    headers = (gettext("Code"), gettext("Écart"), gettext("Type"), gettext("État"),
               gettext("Détenteur"), gettext("Suite"))
    table = Table("inventaire", [Column(header) for header in headers], [
        [line.code, outcomes[line.outcome], line.type_name or "",
         gettext(STATE_LABELS[line.state]) if line.state else "", line.holder_name or "",
         _resolution(line.resolved)]
        for line in stocktakes.stocktake_lines(get_session(), stocktake)])
    name = f"inventaire-{stocktake.site.code}-{stocktake.counted_at:%Y-%m-%d}-{stocktake.id}.csv"
    return table_csv(table), 200, {"Content-Type": "text/csv; charset=utf-8",
                                   "Content-Disposition": f'attachment; filename="{name}"'}


def _resolution(resolved: str | None) -> str:
    return {"declared_lost": gettext("déclaré perdu"), "moved": gettext("amené ici"),
            "left": gettext("laissé tel quel"), None: gettext("à régler")}[resolved]


@bp.post("/<int:stocktake_id>/resolve")
def resolve(stocktake_id: int):
    """The coordination's answer to the count's open lines (those ticked, else all)."""
    stocktake = _load(stocktake_id)
    form = ResolveForm()
    if not form.validate():
        flash(gettext("Choisissez : déclarer perdu ou laisser tel quel."), "error")
        return redirect(url_for("stocktakes.show", stocktake_id=stocktake.id))
    db = get_session()
    codes = request.form.getlist("code") or None
    done = stocktakes.resolve_lines(db, stocktake, actor=current_user, how=form.how.data,
                                    codes=codes)
    db.commit()
    flash(gettext("%(n)s écart(s) réglé(s).", n=done), "success")
    return redirect(url_for("stocktakes.show", stocktake_id=stocktake.id))
