"""Settlements between members, month by month: a member's page (the restaurant's
settlements page is the same), the coordination's, marking paid and cancelling,
and the member's monthly statement (PDF)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..db.database import get_session
from ..formatting import money, month_name
from ..forms.settlements import MarkPaidForm, SettlementForm
from ..reports.statement_pdf import statement_pdf
from ..services import access, periods
from ..services import settlements as service
from ..services.errors import BouteillesError
from .formatting import register_filters
from .guard import guard_blueprint
from .scoping import current_scope

bp = Blueprint("settlements", __name__)
register_filters(bp)
guard_blueprint(bp, "settlements")  # who takes or refunds deposits, and the coordination

TEMPLATES = {"restaurant": "restaurant/settlements.html", "member": "settlements/mine.html",
             "coordination": "settlements/coordination.html"}
ENDPOINTS = {"restaurant": "restaurant.settlements", "member": "settlements.mine",
             "coordination": "settlements.coordination"}


def _coordination() -> bool:
    return access.may(current_user, "oversee_network")


def _key(form) -> tuple[str, str]:
    return form.payer.data or "", form.payee.data or ""


def month_page(back: str, month_text: str | None = None, posted=None, refusal=None,
               status: int = 200):
    """The month's settlements of the member (or of the coordination's scope), each
    with its paid state and the forms that mark or cancel; `posted`: a refused form,
    shown again on its line."""
    if back == "coordination" and not _coordination():
        back = "member"
    db = get_session()
    month = (month_text or "")[:20] or periods.paris_today().strftime("%Y-%m")
    lines, error = [], None
    try:
        if back == "coordination":
            lines = service.month_lines(db, month, scope=current_scope())
        else:
            lines = service.month_lines(db, month, org_id=current_user.org_id)
        ended = service.month_ended(month)
    except BouteillesError as exc:
        error, status, ended = str(exc), 422, False
    can_mark = back != "coordination" or access.may(current_user, "administer")
    forms = {}
    for line in lines:
        key = (line.payer_code, line.payee_code)
        data = {"month": month, "payer": key[0], "payee": key[1], "back": back}
        if line.payment is not None:
            forms[key] = SettlementForm.blank(**data)
        elif line.amount_cents > 0 and ended:
            forms[key] = MarkPaidForm.blank(**data, paid_on=periods.paris_today())
    if posted is not None and _key(posted) in forms:
        if refusal is not None:  # next to its field when it names one of the form's
            field = getattr(refusal, "field", None)
            posted.refuse(refusal, field if field in posted else None)
        forms[_key(posted)] = posted
    elif refusal is not None:
        error = str(refusal)
    me = None if back == "coordination" else current_user.org.code
    context = {
        "lines": lines, "month": month, "error": error, "ended": ended, "me": me,
        "forms": forms if can_mark else {}, "can_mark": can_mark, "back": back,
        "open_key": _key(posted) if posted else None, "methods": service.METHOD_LABELS,
        "owed": sum(line.remaining_cents for line in lines if line.payee_code == me),
        "owing": sum(line.remaining_cents for line in lines if line.payer_code == me),
        "neighbours": _neighbours(month) if error is None else None,
    }
    return render_template(TEMPLATES[back], **context), status


def _neighbours(month: str) -> tuple[str, str]:
    """The months before and after (links on the page)."""
    year, mon = (int(part) for part in month.split("-"))
    before = f"{year - (mon == 1)}-{(mon - 2) % 12 + 1:02d}"
    after = f"{year + (mon == 12)}-{mon % 12 + 1:02d}"
    return before, after


@bp.get("/settlements/")
def mine():
    """The member's settlements of a month (the coordination: its scope's)."""
    if _coordination():
        return redirect(url_for(".coordination", month=request.args.get("month", "")[:20]
                                or None))
    return month_page("member", request.args.get("month"))


@bp.get("/admin/settlements")
def coordination():
    """The month's netted settlements of the coordination's scope, with their paid state."""
    access.require(current_user, "coordination_pages")
    return month_page("coordination", request.args.get("month"))


def _require_marking() -> None:
    """A reader of the coordination reads, does not mark."""
    if _coordination() and not access.may(current_user, "administer"):
        access.require(current_user, "administer")


@bp.post("/settlements/paid")
def mark_paid():
    """Mark a month's settlement of a pair paid."""
    _require_marking()
    form = MarkPaidForm()
    back = form.back_page()
    if not form.validate():
        get_session().rollback()
        return month_page(back, form.month.data, posted=form, status=422)
    db = get_session()
    try:
        line = service.mark_paid(db, current_user, month=form.month.data,
                                 payer_code=form.payer.data, payee_code=form.payee.data,
                                 method=form.method.data, paid_on=form.paid_on.data,
                                 reference=form.reference.data)
    except BouteillesError as exc:
        db.rollback()
        if exc.status == 403:
            raise
        return month_page(back, form.month.data, posted=form, refusal=exc,
                          status=exc.status)
    db.commit()
    flash(gettext("Règlement de %(month)s marqué payé : %(amount)s de %(payer)s à %(payee)s.",
                  month=month_name(line.month), amount=money(line.paid_cents),
                  payer=line.payer_name, payee=line.payee_name), "success")
    return redirect(url_for(ENDPOINTS[back], month=line.month))


@bp.post("/settlements/cancel")
def cancel():
    """Cancel the mark of payment of a month's settlement (kept, cancelled)."""
    _require_marking()
    form = SettlementForm()
    back = form.back_page()
    if not form.validate():
        get_session().rollback()
        return month_page(back, form.month.data, refusal=form.form_errors[0], status=422)
    db = get_session()
    try:
        line = service.cancel_mark(db, current_user, month=form.month.data,
                                   payer_code=form.payer.data, payee_code=form.payee.data)
    except BouteillesError as exc:
        db.rollback()
        if exc.status == 403:
            raise
        return month_page(back, form.month.data, refusal=exc, status=exc.status)
    db.commit()
    flash(gettext("Marque de paiement annulée : le règlement de %(payer)s à %(payee)s est "
                  "de nouveau à payer.", payer=line.payer_name, payee=line.payee_name),
          "success")
    return redirect(url_for(ENDPOINTS[back], month=line.month))


@bp.get("/settlements/statement/<month>.pdf")
def statement(month: str):
    """A member's monthly statement (`?org=`: the coordination, a member it sees)."""
    db = get_session()
    org = service.statement_org(db, current_user, request.args.get("org", "")[:64])
    body = statement_pdf(db, service.month_statement(db, org, month))
    return body, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'inline; filename="releve-{org.code}-{month}.pdf"'}
