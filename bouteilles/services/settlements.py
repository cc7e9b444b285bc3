"""Settlements between members, month by month: netted per pair, marked paid, and
each member's monthly statement.

A month's settlement of a pair of members is the netted figure of
`deposits.settlements`: the one who owes more pays the difference. Once the
month has ended, either side (any of its users) or an administrator of a
coordination that sees either side marks it paid: how, on which day, with
an optional reference. The mark records the netted amount of that moment; an
undo made later by the coordination may change what is owed, and the lines
then say what was paid and what is left (`remaining_cents`, below zero when
more was paid than is now owed). A mark made by mistake is cancelled, never
deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..i18n import N_
from ..models import PAYMENT_METHODS, Loan, Organisation, SettlementPayment, User, utcnow
from . import access
from .deposits import deposit_rows, gross_settlements, month_bounds, net
from .errors import Conflict, FieldError, Forbidden, InvalidTransition
from .items.lookup import get_org
from .periods import PARIS, paris_today, parse_day, parse_month
from .territories import Scope, scope_of

METHOD_LABELS = {"transfer": N_("virement"), "cheque": N_("chèque"), "cash": N_("espèces"),
                 "offset": N_("compensation"), "other": N_("autre")}
REFERENCE_LENGTH = 200


@dataclass
class Line:
    """One pair's settlement of a month: who owes whom the netted amount, both
    directions before netting, and the live mark of payment (None: unpaid)."""

    month: str
    payer_code: str
    payer_name: str
    payee_code: str
    payee_name: str
    amount_cents: int
    from_to_cents: int
    to_from_cents: int
    payment: SettlementPayment | None = None

    @property
    def paid_cents(self) -> int:
        return self.payment.amount_cents if self.payment else 0

    @property
    def remaining_cents(self) -> int:
        """What is left to pay: below zero when more was paid than is now owed."""
        return self.amount_cents - self.paid_cents

    @property
    def state(self) -> str:
        """unpaid, paid, partly (paid, some left) or overpaid."""
        if self.payment is None:
            return "unpaid"
        return "paid" if not self.remaining_cents else (
            "partly" if self.remaining_cents > 0 else "overpaid")

    def as_json(self) -> dict:
        """The API's row: the contract's from/to/amount_cents, with detail."""
        paid = None
        if self.payment is not None:
            p = self.payment
            paid = {"amount_cents": p.amount_cents, "paid_on": paid_day(p).isoformat(),
                    "method": p.method, "reference": p.reference, "by": p.recorded_by_org.code,
                    "recorded_at": p.recorded_at.isoformat()}
        return {"month": self.month, "from": self.payer_code, "to": self.payee_code,
                "amount_cents": self.amount_cents,
                "gross": {"from_to_cents": self.from_to_cents,
                          "to_from_cents": self.to_from_cents},
                "paid": paid, "remaining_cents": self.remaining_cents}


def paid_day(payment: SettlementPayment) -> date:
    """The day it was paid, as typed (stored at noon, Paris)."""
    return payment.paid_on.astimezone(PARIS).date()


def month_ended(month: str, now: datetime | None = None) -> bool:
    """Whether the month (checked) is over in Paris: only then its settlements are final."""
    return month_bounds(month)[1] <= (now or utcnow())


def month_lines(session: Session, month: str, *, org_id: int | None = None,
                scope: Scope = Scope.WHOLE) -> list[Line]:
    """The month's netted settlements of one member (`org_id`) or of a coordination's
    scope, each with its live mark; a mark whose pair no longer owes that way (an undo
    since) shows as a line of 0 owed, paid."""
    parse_month(month)
    gross = gross_settlements(session, org_id=org_id, month=month, scope=scope)
    both = {(row["from"], row["to"]): row["amount_cents"] for row in gross}
    payments = _live_payments(session, month, org_id=org_id, scope=scope)
    marked = {(p.payer.code, p.payee.code): p for p in payments}
    owed = {(row["from"], row["to"]): row["amount_cents"] for row in net(gross)}
    pairs = sorted(set(owed) | set(marked))
    names = _names(session, {code for pair in pairs for code in pair})
    return [Line(month, payer, names.get(payer, payer), payee, names.get(payee, payee),
                 owed.get((payer, payee), 0), both.get((payer, payee), 0),
                 both.get((payee, payer), 0), marked.get((payer, payee)))
            for payer, payee in pairs]


def _live_payments(session: Session, month: str, *, org_id: int | None,
                   scope: Scope) -> list[SettlementPayment]:
    stmt = select(SettlementPayment).where(SettlementPayment.month == month,
                                           SettlementPayment.cancelled_at.is_(None))
    if org_id is not None:
        stmt = stmt.where(or_(SettlementPayment.payer_id == org_id,
                              SettlementPayment.payee_id == org_id))
    elif not scope.whole:
        stmt = stmt.where(or_(scope.orgs(SettlementPayment.payer_id),
                              scope.orgs(SettlementPayment.payee_id)))
    return list(session.scalars(stmt))


def _names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(select(Organisation.code, Organisation.name)
                                .where(Organisation.code.in_(sorted(codes)))).all())


def may_mark(actor: User, payer: Organisation, payee: Organisation) -> bool:
    """Either side, or an administrator of a coordination that sees either side."""
    if actor.org_id in (payer.id, payee.id):
        return True
    if not access.may(actor, "oversee_network"):
        return False
    scope = scope_of(actor.org)
    return access.may(actor, "administer") and (scope.sees(payer) or scope.sees(payee))


def _require_mark(actor: User, payer: Organisation, payee: Organisation) -> None:
    if may_mark(actor, payer, payee):
        return
    if access.may(actor, "oversee_network") and not access.may(actor, "administer"):
        access.require(actor, "administer")  # a reader of the coordination: its message
    raise Forbidden(_l("Seuls les deux membres concernés et la coordination de leur "
                       "territoire marquent ce règlement."))


def _pair(session: Session, actor: User, payer_code: str, payee_code: str,
          ) -> tuple[Organisation, Organisation]:
    payer, payee = get_org(session, payer_code), get_org(session, payee_code)
    _require_mark(actor, payer, payee)
    return payer, payee


def parse_method(method: object) -> str:
    if method not in PAYMENT_METHODS:
        raise FieldError("method", _l("Mode de paiement inconnu « %(method)s ».",
                                      method=str(method)[:20]))
    return str(method)


def check_paid_on(month: str, paid_on: date | str, today: date | None = None) -> date:
    """The day of payment: a day (YYYY-MM-DD) not before the month, not in the future."""
    day = paid_on if isinstance(paid_on, date) else parse_day(paid_on)
    first = date.fromisoformat(f"{month}-01")
    if day < first:
        raise FieldError("paid_on", _l("Date de paiement %(day)s avant le mois réglé "
                                       "(%(month)s).", day=day.isoformat(), month=month))
    if day > (today or paris_today()):
        raise FieldError("paid_on", _l("Date de paiement %(day)s dans le futur : indiquez le "
                                       "jour où le paiement a été fait.", day=day.isoformat()))
    return day


def _live(session: Session, month: str, payer: Organisation,
          payee: Organisation) -> SettlementPayment | None:
    return session.scalar(select(SettlementPayment).where(
        SettlementPayment.month == month, SettlementPayment.payer_id == payer.id,
        SettlementPayment.payee_id == payee.id, SettlementPayment.cancelled_at.is_(None)))


def mark_paid(session: Session, actor: User, *, month: str, payer_code: str,
              payee_code: str, method: str, paid_on: date | str,
              reference: str | None = None) -> Line:
    """Mark the month's netted settlement of payer to payee paid, for its amount now."""
    month = parse_month(month)
    payer, payee = _pair(session, actor, payer_code, payee_code)
    if not month_ended(month):
        raise InvalidTransition(_l(
            "Le mois %(month)s n'est pas terminé : ses règlements peuvent encore changer. "
            "Marquez-les payés à partir du 1er du mois suivant.", month=month))
    method = parse_method(method)
    day = check_paid_on(month, paid_on)
    reference = (reference or "").strip() or None
    if reference and (len(reference) > REFERENCE_LENGTH or "\x00" in reference):
        raise FieldError("reference", _l("Référence trop longue (%(max)s caractères au "
                                         "plus).", max=REFERENCE_LENGTH))
    line = _line(session, month, payer, payee)
    if line.payment is not None:
        raise Conflict(_l("Ce règlement est déjà marqué payé (le %(day)s) : annulez cette "
                          "marque pour la refaire.", day=paid_day(line.payment).isoformat()))
    if line.amount_cents <= 0:
        raise Conflict(_l("%(payer)s ne doit rien à %(payee)s pour %(month)s.",
                          payer=payer.name, payee=payee.name, month=month))
    payment = SettlementPayment(
        month=month, payer_id=payer.id, payee_id=payee.id, amount_cents=line.amount_cents,
        method=method, reference=reference,
        paid_on=datetime.combine(day, time(12), PARIS), recorded_by_id=actor.id,
        recorded_by_org_id=actor.org_id)
    try:
        with session.begin_nested():
            session.add(payment)
    except IntegrityError:  # marked at the same moment by the other side
        raise Conflict(_l("Ce règlement vient d'être marqué payé.")) from None
    line.payment = payment
    return line


def cancel_mark(session: Session, actor: User, *, month: str, payer_code: str,
                payee_code: str) -> Line:
    """Cancel the live mark of payment (by whoever may mark it); it stays, cancelled."""
    month = parse_month(month)
    payer, payee = _pair(session, actor, payer_code, payee_code)
    payment = _live(session, month, payer, payee)
    if payment is None:
        raise Conflict(_l("Ce règlement n'est pas marqué payé : rien à annuler."))
    payment.cancelled_at = utcnow()
    payment.cancelled_by_id = actor.id
    session.flush()
    return _line(session, month, payer, payee)


def _line(session: Session, month: str, payer: Organisation, payee: Organisation) -> Line:
    """The pair's line for the month (0 owed when nothing is owed that way)."""
    for line in month_lines(session, month, org_id=payer.id):
        if (line.payer_code, line.payee_code) == (payer.code, payee.code):
            return line
    return Line(month, payer.code, payer.name, payee.code, payee.name, 0, 0, 0)


# ---------------------------------------------------------------- the monthly statement


@dataclass
class BilledLoan:
    """A tableware loan closed in the month with broken or missing items billed."""

    id: int
    event_name: str
    lender_name: str
    borrower_name: str
    closed_at: datetime
    billed_cents: int
    owed_to_member: bool


@dataclass
class Statement:
    """A member's month: deposits, settlements, loans billed, and the bottom line."""

    org: Organisation
    month: str
    in_progress: bool
    taken_cents: int = 0
    refunded_cents: int = 0
    forfeited_cents: int = 0
    held_cents: int = 0
    lines: list[Line] = field(default_factory=list)
    loans: list[BilledLoan] = field(default_factory=list)

    def _sum(self, *, to_member: bool, remaining: bool) -> int:
        code = self.org.code
        lines = sum((line.remaining_cents if remaining else line.amount_cents)
                    for line in self.lines
                    if (line.payee_code if to_member else line.payer_code) == code)
        return lines + sum(loan.billed_cents for loan in self.loans
                           if loan.owed_to_member == to_member)

    @property
    def owed_to_cents(self) -> int:
        """Still to be received: settlements left to pay it, loans it billed."""
        return self._sum(to_member=True, remaining=True)

    @property
    def owed_by_cents(self) -> int:
        """Still to pay: settlements it owes, loans billed to it."""
        return self._sum(to_member=False, remaining=True)

    @property
    def balance_cents(self) -> int:
        """Above zero: the member is owed this much on balance; below: it owes it."""
        return self.owed_to_cents - self.owed_by_cents


def month_statement(session: Session, org: Organisation, month: str) -> Statement:
    """One member's statement for a month."""
    month = parse_month(month)
    rows = deposit_rows(session, org_id=org.id, month=month)
    statement = Statement(org, month, not month_ended(month),
                          lines=month_lines(session, month, org_id=org.id),
                          loans=_billed_loans(session, org, month))
    for row in rows:
        statement.taken_cents += row["taken_cents"]
        statement.refunded_cents += row["refunded_cents"]
        statement.forfeited_cents += row["forfeited_cents"]
        statement.held_cents += row["held_cents"]
    return statement


def _billed_loans(session: Session, org: Organisation, month: str) -> list[BilledLoan]:
    start, end = month_bounds(month)
    loans = session.scalars(select(Loan).where(
        or_(Loan.lender_id == org.id, Loan.borrower_id == org.id), Loan.status == "closed",
        Loan.closed_at >= start, Loan.closed_at < end).order_by(Loan.closed_at, Loan.id))
    return [BilledLoan(loan.id, loan.event_name, loan.lender.name, loan.borrower.name,
                       loan.closed_at, loan.billed_cents, loan.lender_id == org.id)
            for loan in loans if loan.billed_cents]


def statement_org(session: Session, actor: User, org_code: str | None) -> Organisation:
    """Whose statement the actor reads: its own; the coordination any member it sees."""
    if not org_code or org_code == actor.org.code:
        return actor.org
    org = get_org(session, org_code)
    if not access.may(actor, "oversee_network"):
        raise Forbidden(_l("Vous ne voyez que les données de votre organisation."))
    scope_of(actor.org).require(org)
    return org


def default_month(today: date | None = None) -> str:
    """The month whose settlements are paid now: the last one that has ended."""
    day = today or paris_today()
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return f"{year}-{month:02d}"
