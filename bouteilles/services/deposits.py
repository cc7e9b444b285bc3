"""Deposit balances and settlements between organisations, from the ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import any_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ..models import Container, DepositEntry, Organisation
from .periods import PARIS, parse_month
from .territories import Scope

# The entries that leave a deposit held, and that a refund closes: the lend's
# deposit, its reinstatement when a lost box comes back (movements.container_move),
# or the lender's deposit reopened by an undone return (movements.undo).
OPENING_KINDS = ("taken", "reinstated", "reopened")


# How each kind of entry moves the deposit a box holds: a refund taken back
# (`reclaimed`) holds it again; `reopened` names the lender of what is held again
# and moves nothing.
HELD_SIGN = {"taken": 1, "refunded": -1, "forfeited": -1, "reinstated": 1, "cancelled": -1,
             "reclaimed": 1, "reopened": 0}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The [start, end) of a month sent as YYYY-MM (checked: periods.parse_month), in Paris."""
    return calendar_bounds(parse_month(month))


def calendar_bounds(month: str) -> tuple[datetime, datetime]:
    """month_bounds of a month already checked, or a few months from one (a series)."""
    year, mon = (int(part) for part in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=PARIS)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=PARIS)
    return start, end


def _signed(kind: str):
    return func.coalesce(func.sum(case((DepositEntry.kind == kind, DepositEntry.amount_cents),
                                       else_=0)), 0)


def deposit_rows(session: Session, *, org_id: int | None = None,
                 month: str | None = None, scope: Scope = Scope.WHOLE) -> list[dict]:
    """Per organisation (of the territory of `scope`): taken, refunded, forfeited and
    held (net) cents. An undone lend's deposit (`cancelled`) was never taken; a refund
    taken back (`reclaimed`) was never paid."""
    stmt = (
        select(Organisation.code, _signed("taken") - _signed("cancelled"),
               _signed("refunded") - _signed("reclaimed"),
               _signed("forfeited"), _signed("reinstated"))
        .join(Organisation, Organisation.id == DepositEntry.org_id)
        .group_by(Organisation.code).order_by(Organisation.code)
    )
    if org_id is not None:
        stmt = stmt.where(DepositEntry.org_id == org_id)
    if not scope.whole:
        stmt = stmt.where(DepositEntry.territory_id == scope.territory_id)
    if month:
        start, end = month_bounds(month)
        stmt = stmt.where(DepositEntry.occurred_at >= start, DepositEntry.occurred_at < end)
    return [
        {"org": code, "taken_cents": int(taken), "refunded_cents": int(refunded),
         "forfeited_cents": int(forfeited) - int(reinstated),
         "held_cents": int(taken) - int(refunded) - int(forfeited) + int(reinstated)}
        for code, taken, refunded, forfeited, reinstated in session.execute(stmt)
    ]


def _within(column, bounds: tuple[datetime, datetime] | None) -> list:
    return [column >= bounds[0], column < bounds[1]] if bounds else []


def _not_reclaimed(refund):
    """A refund no undo took back: nothing names it (only a `reclaimed` entry names a
    refund; `lend_entry_id` is unique and indexed)."""
    answer = aliased(DepositEntry)
    # A scalar subquery with LIMIT: one index lookup per refund. As NOT EXISTS,
    # PostgreSQL may turn it into an anti-join that reads the whole index
    # (tests/services/test_query_plans.py).
    return select(answer.id).where(answer.lend_entry_id == refund.id).limit(1) \
        .scalar_subquery().is_(None)


def _refunds_across(bounds: tuple[datetime, datetime] | None, *, made_by: int | None = None,
                    scope: Scope = Scope.WHOLE):
    """(payer_id, payee_id, amount_cents) of each refund of a deposit another member took;
    with a territory, those where either side is one of its members (the ledger's
    `territory_id`: where the deposit was taken, where it was refunded)."""
    refund = aliased(DepositEntry)
    opening = aliased(DepositEntry)
    stmt = (
        select(opening.org_id.label("payer_id"), refund.org_id.label("payee_id"),
               refund.amount_cents)
        .select_from(refund)
        .join(opening, opening.id == refund.lend_entry_id)
        .where(refund.kind == "refunded", _not_reclaimed(refund),
               *_within(refund.occurred_at, bounds))
    )
    if made_by is None:
        stmt = stmt.where(opening.org_id != refund.org_id)
        if scope.whole:
            return stmt
        return stmt.where(or_(opening.territory_id == scope.territory_id,
                              refund.territory_id == scope.territory_id))
    return stmt.where(refund.org_id == made_by, opening.org_id != made_by)


def _refunds_of_lends_by(org_id: int, bounds: tuple[datetime, datetime] | None,
                         dialect: str):
    """The same rows for the deposits `org_id` took and another member refunded."""
    refund = aliased(DepositEntry)
    opening = aliased(DepositEntry)
    its_lends = select(opening.id).where(opening.org_id == org_id,
                                         opening.kind.in_(OPENING_KINDS))
    if dialect == "postgresql":
        # An array of ids, each looked up in the lend_entry_id index: as a join (or
        # IN), PostgreSQL may rather walk that whole index in order (a merge join).
        closing = refund.lend_entry_id == any_(func.array(its_lends.scalar_subquery()))
    else:
        closing = refund.lend_entry_id.in_(its_lends)
    return (
        select(literal(org_id).label("payer_id"), refund.org_id.label("payee_id"),
               refund.amount_cents)
        .where(refund.kind == "refunded", refund.org_id != org_id, closing,
               _not_reclaimed(refund), *_within(refund.occurred_at, bounds))
    )


def settlements(session: Session, *, org_id: int | None = None,
                month: str | None = None, scope: Scope = Scope.WHOLE,
                gross: bool = False) -> list[dict]:
    """What each organisation owes another, netted per pair of members (`net`): of
    the deposits each took that the other refunded, the one who owes more pays the
    difference; a pair whose amounts cancel out owes nothing and is left out.
    `gross`: each line also says both directions (`from_to_cents`, `to_from_cents`).
    A territory's (`scope`) are those where either side is one of its members: a box
    lent in one territory and returned in another settles in both territories' reports."""
    return net(gross_settlements(session, org_id=org_id, month=month, scope=scope),
               detail=gross)


def net(rows: list[dict], *, detail: bool = False) -> list[dict]:
    """One line per pair from the rows of both directions (a few: one per ordered pair
    with refunds): who owes more pays the difference, in (from, to) order."""
    owed = {(row["from"], row["to"]): row["amount_cents"] for row in rows}
    lines = []
    for (payer, payee), amount in owed.items():
        back = owed.get((payee, payer), 0)
        if amount > back:
            line = {"from": payer, "to": payee, "amount_cents": amount - back}
            if detail:
                line["gross"] = {"from_to_cents": amount, "to_from_cents": back}
            lines.append(line)
    return sorted(lines, key=lambda line: (line["from"], line["to"]))


def gross_settlements(session: Session, *, org_id: int | None = None,
                      month: str | None = None, scope: Scope = Scope.WHOLE) -> list[dict]:
    """Each direction apart: the deposits `from` took that `to` refunded."""
    bounds = month_bounds(month) if month else None
    if org_id is None:
        refunds = _refunds_across(bounds, scope=scope).subquery()
    else:
        # The refunds it made, then the refunds of the deposits it took: each half
        # starts from the member's own entries (ix_deposit_entries_org_kind_time),
        # where one OR across the join read the whole ledger. They never overlap.
        dialect = session.get_bind().dialect.name
        refunds = union_all(_refunds_across(bounds, made_by=org_id),
                            _refunds_of_lends_by(org_id, bounds, dialect)).subquery()
    payer = aliased(Organisation)
    payee = aliased(Organisation)
    stmt = (
        select(payer.code, payee.code, func.sum(refunds.c.amount_cents))
        .select_from(refunds)
        .join(payer, payer.id == refunds.c.payer_id)
        .join(payee, payee.id == refunds.c.payee_id)
        .group_by(payer.code, payee.code).order_by(payer.code, payee.code)
    )
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
