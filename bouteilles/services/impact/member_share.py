"""A member's share of the network's impact (restaurants, shops, collection points).

A member has no washing batch of its own; what it does for reuse is take
containers back. Its share of a month is, per container type:

    share = containers it took back that month (return scans, crate quantities
            included) × the month's per-unit figure of that type,

where the per-unit figure is the month's network batches of that type
(Σ figure ÷ Σ clean outputs, every batch rounded once as IMPACT.md says).
Each type's share is rounded to the gram once (half away from zero); the
member's month is the sum of its types. A type with no batch closed in the
month has no per-unit figure: the containers taken back are counted, their
share is 0 g. The batches stay the network's truth: shares are an
attribution and are never added to the network's totals.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ...models import Batch, ContainerType, Event, FactorSet, Organisation
from ..deposits import calendar_bounds, month_bounds

SHARED = ("co2e_avoided_g", "co2e_process_g", "waste_avoided_g")
METHOD = ("share: containers taken back in the month × the month's per-unit figures of "
          "that type over the network's batches")


def _share(taken_back: int, figure: int, clean: int) -> int:
    """taken_back × figure ÷ clean, rounded to the gram, halves away from zero."""
    if not clean or not taken_back:
        return 0
    exact = Decimal(taken_back) * Decimal(figure) / Decimal(clean)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _bucket(column, months: list[str]):
    """A CASE naming the month (of `months`) a moment falls in."""
    bounds = [calendar_bounds(m) for m in months]
    return case(*((and_(column >= s, column < e), m) for m, (s, e) in zip(months, bounds,
                                                                          strict=True)))


def _returns(session: Session, org: Organisation, months: list[str], start: datetime,
             end: datetime) -> dict[tuple[str, int], int]:
    """Containers the member took back, by (month, type id)."""
    bucket = _bucket(Event.occurred_at, months).label("month")
    rows = session.execute(
        select(bucket, Event.type_id, func.sum(Event.quantity))
        .where(Event.action == "return", Event.org_id == org.id,
               Event.occurred_at >= start, Event.occurred_at < end)
        .group_by(bucket, Event.type_id))
    return {(month, type_id): int(n or 0) for month, type_id, n in rows}


def _per_type(session: Session, months: list[str], start: datetime, end: datetime
              ) -> dict[tuple[str, int], dict]:
    """The network's closed batches by (month, type id): clean outputs and shared figures."""
    bucket = _bucket(Batch.closed_at, months).label("month")
    rows = session.execute(
        select(bucket, Batch.type_id, func.sum(Batch.clean),
               *(func.sum(getattr(Batch, f)) for f in SHARED))
        .where(Batch.status == "closed", Batch.closed_at >= start, Batch.closed_at < end)
        .group_by(bucket, Batch.type_id))
    return {(month, type_id): {"clean": int(clean or 0),
                               **{f: int(v or 0) for f, v in zip(SHARED, sums, strict=True)}}
            for month, type_id, clean, *sums in rows}


def _empty(month: str) -> dict:
    return {"month": month, "batches": 0, "inputs": 0, "containers_reused": 0,
            "containers_rejected": 0, "co2e_avoided_g": 0, "co2e_process_g": 0,
            "waste_avoided_g": 0, "to_recycling_g": 0}


def member_shares(session: Session, org: Organisation, months: list[str]) -> dict[str, list]:
    """Per month (of `months`, consecutive), the member's share by container type."""
    start, end = calendar_bounds(months[0])[0], calendar_bounds(months[-1])[1]
    taken = _returns(session, org, months, start, end)
    network = _per_type(session, months, start, end)
    types = {t.id: t for t in session.scalars(
        select(ContainerType).where(ContainerType.id.in_({t for _m, t in taken})))}
    rows: dict[str, list] = defaultdict(list)
    for (month, type_id), count in sorted(taken.items(), key=lambda kv: (
            kv[0][0], types[kv[0][1]].code)):
        ref = network.get((month, type_id), {"clean": 0})
        ctype = types[type_id]
        rows[month].append({
            "type": ctype.code, "name": ctype.name, "family": ctype.family,
            **_empty(month), "containers_reused": count,
            **{f: _share(count, ref.get(f, 0), ref["clean"]) for f in SHARED},
            "network_clean": ref["clean"],
        })
    return rows


def _total(month: str, rows: list[dict]) -> dict:
    total = _empty(month)
    for row in rows:
        for key in ("containers_reused", *SHARED):
            total[key] += row[key]
    return total


def member_month(session: Session, month: str, org: Organisation) -> dict:
    """A member's month in the shape of `monthly_impact` (scope 'member'), with by_type."""
    rows = member_shares(session, org, [month]).get(month, [])
    start, end = month_bounds(month)
    used = session.scalars(
        select(FactorSet.code).join(Batch, Batch.factor_set_id == FactorSet.id)
        .where(Batch.status == "closed", Batch.closed_at >= start, Batch.closed_at < end,
               Batch.type_id.in_(select(ContainerType.id).where(
                   ContainerType.code.in_([r["type"] for r in rows]))))
        .distinct()) if rows else []
    by_type = [{k: v for k, v in r.items() if k != "month"} for r in rows]
    return {**_total(month, rows), "org": org.code, "scope": "member", "method": METHOD,
            "by_type": by_type, "by_site": [], "by_batch": [], "adjustments": [], "rejects": [],
            "factor_sets": sorted(used)}


def member_series(session: Session, months: list[str], org: Organisation) -> list[dict]:
    """A member's monthly totals for consecutive `months`, oldest first."""
    shares = member_shares(session, org, months)
    return [_total(m, shares.get(m, [])) for m in months]
