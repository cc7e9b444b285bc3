"""What a restaurant sees of its boxes and its deposit cash, by SQL aggregation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from ...models import (
    Container,
    ContainerType,
    DepositEntry,
    Event,
    TerritoryDeposit,
    utcnow,
)
from ..deposits import PARIS
from ..movements import counted_refunds
from ..paging import PER_PAGE, Page, paginate

# The three piles a restaurateur cares about, in the order the page shows them.
BOX_STATES = ("clean", "in_use", "returned")


@dataclass
class TypeCount:
    type_code: str
    type_name: str
    clean: int = 0
    in_use: int = 0
    returned: int = 0
    overdue: int = 0


def overdue_cutoff(overdue_days: int, now: datetime | None = None) -> datetime:
    """Boxes lent before this moment are overdue."""
    return (now or utcnow()) - timedelta(days=overdue_days)


def box_counts(session: Session, org_id: int, *, overdue_days: int,
               now: datetime | None = None) -> list[TypeCount]:
    """Per container type: boxes clean, out with customers (and overdue), returned."""
    cutoff = overdue_cutoff(overdue_days, now)

    def count_state(state: str):
        return func.coalesce(func.sum(case((Container.state == state, 1), else_=0)), 0)

    overdue = func.coalesce(func.sum(case(
        ((Container.state == "in_use") & (Container.lent_at < cutoff), 1), else_=0)), 0)
    rows = session.execute(
        select(ContainerType.code, ContainerType.name, count_state("clean"),
               count_state("in_use"), count_state("returned"), overdue)
        .join(ContainerType, ContainerType.id == Container.type_id)
        .where(Container.holder_id == org_id, Container.state.in_(BOX_STATES))
        .group_by(ContainerType.code, ContainerType.name)
        .order_by(ContainerType.code)
    )
    return [TypeCount(code, name, int(c), int(u), int(r), int(o))
            for code, name, c, u, r, o in rows]


def totals(counts: list[TypeCount]) -> TypeCount:
    """All types together."""
    total = TypeCount("", "")
    for row in counts:
        for name in ("clean", "in_use", "returned", "overdue"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def usual_deposit_cents(session: Session, territory_id: int | None = None) -> int | None:
    """The deposit a box carries when every box type in service has the same one in
    the restaurant's territory (what the counter announces offline, before it can
    look a box up); else None."""
    own = (select(TerritoryDeposit.deposit_cents)
           .where(TerritoryDeposit.type_id == ContainerType.id,
                  TerritoryDeposit.territory_id == territory_id).scalar_subquery())
    amounts = set(session.scalars(
        select(func.coalesce(own, ContainerType.deposit_cents))
        .where(ContainerType.family == "box", ContainerType.active.is_(True))))
    return amounts.pop() if len(amounts) == 1 else None


def list_boxes(session: Session, org_id: int, state: str, *, page: int = 1,
               per_page: int = PER_PAGE, overdue_days: int | None = None,
               only_overdue: bool = False, now: datetime | None = None) -> Page:
    """One page of the restaurant's boxes in `state`; rows (code, type name, since).

    Boxes out with customers come oldest first (the overdue ones on top); the
    other piles most recent first. `since` is the lend time for boxes out, else
    the time of the box's last movement.
    """
    since = Container.lent_at if state == "in_use" else Container.last_event_at
    stmt = (
        select(Container.code, ContainerType.name, since.label("since"))
        .join(ContainerType, ContainerType.id == Container.type_id)
        .where(Container.holder_id == org_id, Container.state == state)
    )
    if only_overdue and overdue_days is not None:
        stmt = stmt.where(Container.lent_at < overdue_cutoff(overdue_days, now))
    order = since.asc() if state == "in_use" else since.desc()
    stmt = stmt.order_by(order, Container.id)
    return paginate(session, stmt, page, per_page, scalars=False)


@dataclass
class CashSummary:
    day: date
    taken_cents: int
    taken_count: int
    refunded_cents: int  # counted returns included
    refunded_count: int
    counted_cents: int = 0  # refunded by count, without a scan
    counted_count: int = 0

    @property
    def net_cents(self) -> int:
        return self.taken_cents - self.refunded_cents


def paris_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in Europe/Paris time."""
    start = datetime.combine(day, time(0), tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
    return start, end


def day_cash(session: Session, org_id: int, day: date) -> CashSummary:
    """Deposits the restaurant took and refunded at its counter on one Paris day."""
    start, end = paris_day_bounds(day)

    def total(kind: str):
        return func.coalesce(func.sum(case((DepositEntry.kind == kind,
                                            DepositEntry.amount_cents), else_=0)), 0)

    def count(kind: str):
        return func.coalesce(func.sum(case((DepositEntry.kind == kind, 1), else_=0)), 0)

    # An undone lend (`cancelled`) took nothing; an undone return (`reclaimed`)
    # refunded nothing.
    # A refund the restaurant paid by count is in the day it counted (the count's
    # refunds); the ledger writes it later, at the scan that matched a box to the
    # count (another member's event): not twice.
    taken, n_taken, refunded, n_refunded = session.execute(
        select(total("taken") - total("cancelled"), count("taken") - count("cancelled"),
               total("refunded") - total("reclaimed"),
               count("refunded") - count("reclaimed"))
        .join(Event, Event.id == DepositEntry.event_id)
        .where(DepositEntry.org_id == org_id, DepositEntry.occurred_at >= start,
               DepositEntry.occurred_at < end,
               or_(DepositEntry.kind != "refunded", Event.org_id == DepositEntry.org_id))
    ).one()
    n_counted, counted = counted_refunds(session, org_id, start, end)
    return CashSummary(day, int(taken), int(n_taken), int(refunded) + counted,
                       int(n_refunded) + n_counted, counted, n_counted)


def current_month(now: datetime | None = None) -> str:
    """The current month in Europe/Paris, as YYYY-MM."""
    return (now or utcnow()).astimezone(PARIS).strftime("%Y-%m")


def box_types(session: Session) -> list[ContainerType]:
    """The box types in service (those a restaurant lends and takes back)."""
    return list(session.scalars(
        select(ContainerType).where(ContainerType.family == "box", ContainerType.active)
        .order_by(ContainerType.name)))
