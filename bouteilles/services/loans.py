"""Event tableware loans: lend counted quantities, check them back, bill what is lost.

A loan does not move tracked stock (no per-item events): tableware for events
is counted, not scanned. Broken and missing items are billed at the deposit
of their type as it was when the loan was made.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from ..models import ContainerType, Loan, LoanLine, Organisation, User, utcnow
from . import access
from .errors import Forbidden, NotFound, ValidationError
from .paging import PER_PAGE, Page, paginate
from .territories import deposit_cents as territory_deposit
from .territories import scope_of

# Who borrows: event organisers (who lends is the access table's `lend_tableware`).
BORROWER_KIND = "event_organiser"
MAX_QUANTITY = 100_000
COUNT_FIELDS = ("returned", "broken", "missing")


def lendable_types(session: Session) -> list[ContainerType]:
    """Active container types, in code order (cups and plates are types too)."""
    return list(session.scalars(
        select(ContainerType).where(ContainerType.active.is_(True)).order_by(ContainerType.code)
    ))


def borrowers(session: Session) -> list[Organisation]:
    """Active event organisers, by name."""
    return list(session.scalars(
        select(Organisation).where(Organisation.kind == BORROWER_KIND,
                                   Organisation.active.is_(True)).order_by(Organisation.name)
    ))


def _quantity(value: object, *, label: str) -> int:
    if value is None or value == "":
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(_l("« %(value)s » n'est pas un nombre entier (%(label)s).",
                                 value=str(value)[:20], label=label)) from None
    if not 0 <= number <= MAX_QUANTITY:
        raise ValidationError(_l("%(label)s : entre 0 et %(max)s.", label=label, max=MAX_QUANTITY))
    return number


def create_loan(session: Session, *, actor: User, borrower_code: str, event_name: str,
                quantities: dict[str, object], event_date: date | None = None,
                note: str | None = None) -> Loan:
    """Lend counted quantities by type to an event organiser."""
    access.require(actor, "lend_tableware")
    event_name = (event_name or "").strip()
    if not event_name or len(event_name) > 200:
        raise ValidationError(_l("Nommez l'événement (200 caractères au plus)."))
    borrower = session.scalar(select(Organisation).where(
        Organisation.code == (borrower_code or ""), Organisation.kind == BORROWER_KIND,
        Organisation.active.is_(True)))
    if borrower is None:
        raise ValidationError(_l("Choisissez l'organisateur de l'événement."))
    types = {t.code: t for t in lendable_types(session)}
    lines = []
    for type_code, raw in quantities.items():
        ctype = types.get(type_code)
        if ctype is None:
            raise ValidationError(_l("Type inconnu « %(code)s ».", code=str(type_code)[:64]))
        lent = _quantity(raw, label=ctype.name)
        if lent:
            lines.append(LoanLine(type_id=ctype.id, type=ctype, lent=lent,
                                  deposit_cents=territory_deposit(session, ctype,
                                                                  actor.territory_id)))
    if not lines:
        raise ValidationError(_l("Indiquez au moins une quantité prêtée."))
    loan = Loan(lender_id=actor.org_id, borrower_id=borrower.id, event_name=event_name,
                event_date=event_date, note=(note or "").strip()[:2000] or None,
                status="open", lent_at=utcnow(), lent_by_id=actor.id, lines=lines)
    session.add(loan)
    session.flush()
    return loan


def get_loan(session: Session, loan_id: int, *, actor: User, write: bool = False) -> Loan:
    """A loan the actor is party to (the coordinator sees all); `write`: the lender only."""
    loan = session.get(Loan, loan_id)
    # A territory's coordination: the loans of its members.
    coordinator = access.may(actor, "oversee_network") and loan is not None and (
        scope_of(actor.org).sees(loan.lender) or scope_of(actor.org).sees(loan.borrower))
    if loan is None or not (coordinator or actor.org_id in (loan.lender_id, loan.borrower_id)):
        raise NotFound(_l("Aucun prêt n° %(id)s.", id=loan_id))
    if write and not (coordinator or actor.org_id == loan.lender_id):
        raise Forbidden(_l("Seul le prêteur enregistre le retour de la vaisselle."))
    return loan


def record_check(session: Session, loan: Loan, *, actor: User,
                 counts: dict[str, dict[str, object]]) -> Loan:
    """Set what came back, broke and is missing, per type (totals so far, not additions)."""
    if loan.status != "open":
        raise ValidationError(_l("Ce prêt est clôturé : plus de modification possible."))
    if not (access.may(actor, "oversee_network") or actor.org_id == loan.lender_id):
        raise Forbidden(_l("Seul le prêteur enregistre le retour de la vaisselle."))
    by_code = {line.type.code: line for line in loan.lines}
    parsed = {}
    for type_code, fields in counts.items():
        line = by_code.get(type_code)
        if line is None:
            raise ValidationError(_l("Le type « %(code)s » ne fait pas partie du prêt.",
                                     code=str(type_code)[:64]))
        values = {f: _quantity(fields.get(f), label=line.type.name) for f in COUNT_FIELDS}
        if sum(values.values()) > line.lent:
            raise ValidationError(_l(
                "%(type)s : %(total)s comptés pour %(lent)s prêtés (rendus + cassés + manquants "
                "ne peuvent dépasser le prêt).",
                type=line.type.name, total=sum(values.values()), lent=line.lent))
        parsed[line] = values
    for line, values in parsed.items():
        for field, value in values.items():
            setattr(line, field, value)
    loan.checked_at = utcnow()
    session.flush()
    return loan


def close_loan(session: Session, loan: Loan, *, actor: User,
               counts: dict[str, dict[str, object]] | None = None) -> Loan:
    """Close the loan once every item lent is accounted for; the bill is then final."""
    record_check(session, loan, actor=actor, counts=counts or {})
    open_lines = [line for line in loan.lines if line.unaccounted]
    if open_lines:
        raise ValidationError(_l(
            "Tout n'est pas compté : %(detail)s. Indiquez pour chaque article s'il est "
            "rendu, cassé ou manquant.",
            detail=", ".join(f"{line.type.name} ({line.unaccounted})" for line in open_lines)))
    for line in loan.lines:
        line.closed = True
    loan.status = "closed"
    loan.closed_at = utcnow()
    loan.closed_by_id = actor.id
    session.flush()
    return loan


def list_loans(session: Session, *, actor: User, page: int = 1,
               per_page: int = PER_PAGE) -> Page:
    """Loans the actor's organisation lent or borrowed (all for the coordinator), open first."""
    stmt = select(Loan)
    if not access.may(actor, "oversee_network"):
        stmt = stmt.where(or_(Loan.lender_id == actor.org_id, Loan.borrower_id == actor.org_id))
    elif not (scope := scope_of(actor.org)).whole:  # a territory's: its members' loans
        stmt = stmt.where(or_(scope.orgs(Loan.lender_id), scope.orgs(Loan.borrower_id)))
    stmt = stmt.order_by(case((Loan.status == "open", 0), else_=1), Loan.lent_at.desc(),
                         Loan.id.desc())
    return paginate(session, stmt, page, per_page)


def loan_totals(loan: Loan) -> dict[str, int]:
    """Sums over the lines, for the statement."""
    return {
        "lent": sum(line.lent for line in loan.lines),
        **{f: sum(getattr(line, f) for line in loan.lines) for f in COUNT_FIELDS},
        "unaccounted": sum(line.unaccounted for line in loan.lines),
        "billed_cents": loan.billed_cents,
    }
