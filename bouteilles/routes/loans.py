"""Event tableware loans: lend to an event organiser, check back, statement (page and PDF)."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.database import get_session
from ..forms.loans import LoanCheckForm, LoanForm
from ..reports.loan_pdf import loan_statement_pdf
from ..services import access
from ..services import loans as service
from ..services.errors import BouteillesError
from ..services.paging import page_number
from .formatting import register_filters
from .guard import guard_blueprint
from .refusals import refused_form
from .scoping import current_scope

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


def _loan_form(*, posted: bool) -> LoanForm:
    """The lending form; a territory's coordination lends to its territory's organisers
    (another's is not a choice: refused)."""
    db = get_session()
    scope = current_scope()
    borrowers = [org for org in service.borrowers(db) if scope.sees(org)]
    return LoanForm.for_types(service.lendable_types(db), borrowers, posted=posted)


@bp.get("/new")
def new():
    """The form lending tableware."""
    access.require(current_user, "lend_tableware")
    return render_template("loans/new.html", form=_loan_form(posted=False))


@bp.post("/new")
def create():
    """Lend: a counted quantity per type to one event organiser."""
    access.require(current_user, "lend_tableware")
    form = _loan_form(posted=True)
    if not form.validate():
        return refused_form("loans/new.html", form)
    db = get_session()
    try:
        loan = service.create_loan(db, actor=current_user, borrower_code=form.borrower.data,
                                   event_name=form.event_name.data,
                                   event_date=form.event_date.data,
                                   quantities=form.quantities(), note=form.note.data)
    except BouteillesError as exc:
        return refused_form("loans/new.html", form, exc)
    db.commit()
    return redirect(url_for(".show", loan_id=loan.id))


def _show_context(loan_id: int) -> dict:
    """The loan's page, and the blank check form of its lines (for the lender)."""
    loan = service.get_loan(get_session(), loan_id, actor=current_user)
    writable = loan.status == "open" and (access.may(current_user, "oversee_network")
                                          or current_user.org_id == loan.lender_id)
    return {"loan": loan, "totals": service.loan_totals(loan), "writable": writable,
            "form": LoanCheckForm.for_lines(loan.lines, posted=False)}


@bp.get("/<int:loan_id>")
def show(loan_id: int):
    """The loan's statement; the lender also checks back what returned here."""
    return render_template("loans/show.html", **_show_context(loan_id))


@bp.post("/<int:loan_id>/check")
def check(loan_id: int):
    """Save the counts, or save and close the loan (every item accounted for)."""
    db = get_session()
    loan = service.get_loan(db, loan_id, actor=current_user, write=True)
    form = LoanCheckForm.for_lines(loan.lines, posted=True)
    reread = partial(_show_context, loan_id)
    if not form.validate():
        return refused_form("loans/show.html", form, reread=reread)
    try:
        if form.do.data == "close":
            service.close_loan(db, loan, actor=current_user, counts=form.counts())
        else:
            service.record_check(db, loan, actor=current_user, counts=form.counts())
    except BouteillesError as exc:
        return refused_form("loans/show.html", form, exc, reread=reread)
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
