"""Event tableware loans: lend to an event organiser, check back, statement (page and PDF)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.database import get_session
from ..i18n import translate
from ..reports.loan_pdf import loan_statement_pdf
from ..services import access, periods
from ..services import loans as service
from ..services.errors import BouteillesError, ValidationError
from ..services.paging import page_number
from .formatting import register_filters
from .guard import guard_blueprint

bp = Blueprint("loans", __name__, url_prefix="/loans")
register_filters(bp)
guard_blueprint(bp, "loan_pages")  # lenders and borrowers


@bp.get("/")
def index():
    """The loans this member made or received, open ones first."""
    page = service.list_loans(get_session(), actor=current_user,
                              page=page_number(request.args.get("page")))
    return render_template("loans/index.html", page=page,
                           may_lend=access.may(current_user, "lend_tableware"))


def _render_new(form: dict, error: str | None = None, status: int = 200):
    db = get_session()
    return render_template("loans/new.html", form=form, error=error,
                           types=service.lendable_types(db),
                           borrowers=service.borrowers(db)), status


@bp.get("/new")
def new():
    access.require(current_user, "lend_tableware")
    return _render_new({})


@bp.post("/new")
def create():
    """Lend: a counted quantity per type to one event organiser."""
    db = get_session()
    form = request.form.to_dict()
    try:
        raw_date = form.get("event_date", "").strip()
        event_date = periods.parse_day(raw_date) if raw_date else None
        quantities = {key[4:]: value for key, value in form.items() if key.startswith("qty-")}
        loan = service.create_loan(db, actor=current_user, borrower_code=form.get("borrower", ""),
                                   event_name=form.get("event_name", ""),
                                   event_date=event_date, quantities=quantities,
                                   note=form.get("note"))
    except ValidationError as exc:
        db.rollback()
        return _render_new(form, translate(exc.template, **exc.params), 422)
    db.commit()
    return redirect(url_for(".show", loan_id=loan.id))


def _render_show(loan, form: dict | None = None, error: str | None = None, status: int = 200):
    writable = loan.status == "open" and (access.may(current_user, "oversee_network")
                                          or current_user.org_id == loan.lender_id)
    return render_template("loans/show.html", loan=loan, totals=service.loan_totals(loan),
                           writable=writable, form=form, error=error), status


@bp.get("/<int:loan_id>")
def show(loan_id: int):
    """The loan's statement; the lender also checks back what returned here."""
    return _render_show(service.get_loan(get_session(), loan_id, actor=current_user))


@bp.post("/<int:loan_id>/check")
def check(loan_id: int):
    """Save the counts, or save and close the loan (every item accounted for)."""
    db = get_session()
    loan = service.get_loan(db, loan_id, actor=current_user, write=True)
    form = request.form.to_dict()
    counts = {line.type.code: {f: form.get(f"{f}-{line.type.code}") for f in service.COUNT_FIELDS}
              for line in loan.lines}
    try:
        if form.get("do") == "close":
            service.close_loan(db, loan, actor=current_user, counts=counts)
        else:
            service.record_check(db, loan, actor=current_user, counts=counts)
    except BouteillesError as exc:
        db.rollback()
        loan = service.get_loan(db, loan_id, actor=current_user)
        return _render_show(loan, form, translate(exc.template, **exc.params), 422)
    db.commit()
    return redirect(url_for(".show", loan_id=loan.id))


@bp.get("/<int:loan_id>.pdf")
def statement_pdf(loan_id: int):
    """The loan's statement as a PDF (French)."""
    loan = service.get_loan(get_session(), loan_id, actor=current_user)
    return loan_statement_pdf(loan), 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'inline; filename="pret-{loan.id}.pdf"',
    }
