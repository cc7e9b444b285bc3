"""Counted returns: boxes taken back and refunded at the lunch rush without a scan.

The restaurant records how many boxes of a type it took back and refunded
(`record_counted_return`): that count, and the money it paid, wait as
*pending*. When one of those boxes is scanned later in the chain (collected,
sorted, washed) while the record still shows it with a customer, the scan is
matched to the oldest pending count of its type, the lender's own first
(`claim`): instead of a skipped return (an anomaly, the deposit forfeited)
the scan writes the refund by the restaurant that counted it, so the
restaurants settle as if the box had been scanned at the counter. A count
still pending after `OVERDUE_DAYS` is listed with the anomalies
(`overdue_counted_returns`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, func, select, text
from sqlalchemy.orm import Session

from ...models import ContainerType, CountedReturn, Organisation, User, utcnow
from ...models.base import UTCDateTime
from .. import access
from ..errors import ValidationError
from ..items.lookup import get_type
from ..paging import Page, paginate
from ..territories import Scope
from ..territories import deposit_cents as territory_deposit

# More than a day's lunch rush of one restaurant: a typing slip.
MAX_COUNTED_RETURN = 500
MAX_NOTE = 200

# The oldest pending count of the type, made at or before the scan; the box's
# lender's own first. Its `matched` moves up only while it stays below `count`,
# so two scans at once never match one box twice.
_CLAIM = text("""
UPDATE counted_returns SET matched = matched + 1
WHERE id = (SELECT id FROM counted_returns
            WHERE type_id = :type_id AND matched < count AND occurred_at <= :at
            ORDER BY CASE WHEN org_id = :lender_id THEN 0 ELSE 1 END, occurred_at, id
            LIMIT 1)
  AND matched < count
RETURNING id, org_id""").bindparams(bindparam("at", type_=UTCDateTime()))
_UNCLAIM = text("UPDATE counted_returns SET matched = matched - 1 WHERE id = :id")


@dataclass(frozen=True)
class Claimed:
    """A pending count a scan was matched to: its id and the restaurant that counted."""

    id: int
    org_id: int


def record_counted_return(session: Session, actor: User, *, type_code: str, count: int,
                          note: str | None = None,
                          occurred_at: datetime | None = None) -> CountedReturn:
    """Record `count` boxes of a type taken back and refunded without a scan."""
    access.require(actor, "return")
    ctype: ContainerType = get_type(session, type_code)
    if not 1 <= count <= MAX_COUNTED_RETURN:
        raise ValidationError(_l("Entre 1 et %(max)s boîtes.", max=MAX_COUNTED_RETURN))
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise ValidationError(_l("La note tient en %(max)s caractères.", max=MAX_NOTE))
    now = utcnow()
    counted = CountedReturn(org_id=actor.org_id, type_id=ctype.id, user_id=actor.id,
                            count=count, matched=0,
                            deposit_cents=territory_deposit(session, ctype, actor.territory_id),
                            note=note, occurred_at=occurred_at or now, recorded_at=now)
    session.add(counted)
    session.flush()
    return counted


def claim(conn: Connection, *, type_id: int, lender_id: int, at: datetime) -> Claimed | None:
    """Match one box of `type_id` lent by `lender_id`, scanned at `at`, to a pending
    count; None when none is pending."""
    row = conn.execute(_CLAIM, {"type_id": type_id, "lender_id": lender_id, "at": at}).first()
    return None if row is None else Claimed(row.id, row.org_id)


def unclaim(conn: Connection, claimed: Claimed) -> None:
    """Give back a match whose move was not written (the box moved meanwhile)."""
    conn.execute(_UNCLAIM, {"id": claimed.id})


def pending_counts(session: Session, org_id: int, *, limit: int = 20) -> list[dict]:
    """The member's latest counts, with how many boxes wait for their scan."""
    rows = session.execute(
        select(CountedReturn, ContainerType.name)
        .join(ContainerType, ContainerType.id == CountedReturn.type_id)
        .where(CountedReturn.org_id == org_id)
        .order_by(CountedReturn.occurred_at.desc(), CountedReturn.id.desc()).limit(limit))
    return [{"id": counted.id, "type_name": type_name, "count": counted.count,
             "matched": counted.matched, "pending": counted.count - counted.matched,
             "refunded_cents": counted.count * counted.deposit_cents,
             "occurred_at": counted.occurred_at, "note": counted.note}
            for counted, type_name in rows]


def counted_refunds(session: Session, org_id: int, start: datetime,
                    end: datetime) -> tuple[int, int]:
    """(boxes, cents) the member refunded by count between `start` and `end`."""
    boxes, cents = session.execute(
        select(func.coalesce(func.sum(CountedReturn.count), 0),
               func.coalesce(func.sum(CountedReturn.count * CountedReturn.deposit_cents), 0))
        .where(CountedReturn.org_id == org_id, CountedReturn.occurred_at >= start,
               CountedReturn.occurred_at < end)).one()
    return int(boxes), int(cents)


def overdue_counted_returns(session: Session, *, overdue_days: int,
                            now: datetime | None = None, page: int = 1,
                            org_id: int | None = None, scope: Scope = Scope.WHOLE) -> Page:
    """Counts still pending `overdue_days` after they were made, oldest first: boxes
    refunded that the chain never saw (the coordinator's anomalies). Rows: id,
    org_name, type_name, count, pending, pending_cents, occurred_at."""
    before = (now or utcnow()) - timedelta(days=overdue_days)
    pending = CountedReturn.count - CountedReturn.matched
    stmt = (
        select(CountedReturn.id, Organisation.name.label("org_name"),
               ContainerType.name.label("type_name"), CountedReturn.count,
               pending.label("pending"),
               (pending * CountedReturn.deposit_cents).label("pending_cents"),
               CountedReturn.occurred_at)
        .join(Organisation, Organisation.id == CountedReturn.org_id)
        .join(ContainerType, ContainerType.id == CountedReturn.type_id)
        .where(CountedReturn.matched < CountedReturn.count, CountedReturn.occurred_at < before)
        .order_by(CountedReturn.occurred_at, CountedReturn.id))
    if org_id is not None:
        stmt = stmt.where(CountedReturn.org_id == org_id)
    if not scope.whole:  # a territory's coordination: its members' counts
        stmt = stmt.where(scope.orgs(CountedReturn.org_id))
    return paginate(session, stmt, page, scalars=False)
