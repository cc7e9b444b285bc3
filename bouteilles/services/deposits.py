"""Deposit balances and settlements between organisations, from the ledger."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from ..models import Container, DepositEntry, Organisation
from .errors import ValidationError

PARIS = ZoneInfo("Europe/Paris")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The [start, end) of a calendar month in Europe/Paris time, as aware datetimes."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        start = datetime(year, mon, 1, tzinfo=PARIS)
    except (ValueError, AttributeError):
        raise ValidationError("Mois invalide « {month} » : attendu AAAA-MM.", month=month) \
            from None
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=PARIS)
    return start, end


def _signed(kind: str):
    return func.coalesce(func.sum(case((DepositEntry.kind == kind, DepositEntry.amount_cents),
                                       else_=0)), 0)


def deposit_rows(session: Session, *, org_id: int | None = None,
                 month: str | None = None) -> list[dict]:
    """Per organisation: taken, refunded, forfeited and held (net) cents."""
    stmt = (
        select(Organisation.code, _signed("taken"), _signed("refunded"),
               _signed("forfeited"), _signed("reinstated"))
        .join(Organisation, Organisation.id == DepositEntry.org_id)
        .group_by(Organisation.code).order_by(Organisation.code)
    )
    if org_id is not None:
        stmt = stmt.where(DepositEntry.org_id == org_id)
    if month:
        start, end = month_bounds(month)
        stmt = stmt.where(DepositEntry.occurred_at >= start, DepositEntry.occurred_at < end)
    return [
        {"org": code, "taken_cents": int(taken), "refunded_cents": int(refunded),
         "forfeited_cents": int(forfeited) - int(reinstated),
         "held_cents": int(taken) - int(refunded) - int(forfeited) + int(reinstated)}
        for code, taken, refunded, forfeited, reinstated in session.execute(stmt)
    ]


def settlements(session: Session, *, org_id: int | None = None,
                month: str | None = None) -> list[dict]:
    """What each organisation owes another: deposits it took that the other refunded."""
    refund = aliased(DepositEntry)
    opening = aliased(DepositEntry)
    payer = aliased(Organisation)
    payee = aliased(Organisation)
    stmt = (
        select(payer.code, payee.code, func.sum(refund.amount_cents))
        .select_from(refund)
        .join(opening, opening.id == refund.lend_entry_id)
        .join(payer, payer.id == opening.org_id)
        .join(payee, payee.id == refund.org_id)
        .where(refund.kind == "refunded", opening.org_id != refund.org_id)
        .group_by(payer.code, payee.code).order_by(payer.code, payee.code)
    )
    if org_id is not None:
        stmt = stmt.where((opening.org_id == org_id) | (refund.org_id == org_id))
    if month:
        start, end = month_bounds(month)
        stmt = stmt.where(and_(refund.occurred_at >= start, refund.occurred_at < end))
    return [{"from": a, "to": b, "amount_cents": int(amount)}
            for a, b, amount in session.execute(stmt)]


def network_balance(session: Session) -> tuple[int, int]:
    """(ledger held, deposits carried by boxes in use): equal when the books are right."""
    ledger = sum(row["held_cents"] for row in deposit_rows(session))
    carried = session.scalar(
        select(func.coalesce(func.sum(Container.deposit_held_cents), 0))
        .where(Container.state == "in_use")
    )
    return ledger, int(carried)
