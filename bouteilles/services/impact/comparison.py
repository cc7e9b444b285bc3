"""The territories side by side for a month: what the national coordination compares.

Each figure is one SQL aggregate grouped by the source table's own `territory_id`
(models/territory.py), never a loop over events or batches, and is the figure the
territory's own reading gives (`monthly_impact(…, scope=…)`): lends and returns as
its circulation counts them (recorded by its members before the month ended, not
undone then), batches and their figures with the month's corrections of them.
Rows whose territory is none (members outside every territory) make a line of
their own when there are any; the total is the network's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ...models import Batch, BatchCorrection, Event, Organisation, Territory
from ..deposits import month_bounds
from .funders import _ratio

FIGURES = ("members", "lends", "returns", "batches", "containers_reused", "co2e_avoided_g",
           "waste_avoided_g")


def _members(session: Session) -> dict[int | None, dict]:
    """Organisations by territory, the coordinations left out: the members that act."""
    rows = session.execute(select(Organisation.territory_id, func.count())
                           .where(Organisation.kind != "coordinator")
                           .group_by(Organisation.territory_id))
    return {tid: {"members": int(n)} for tid, n in rows}


def _circulation(session: Session, start: datetime, end: datetime) -> dict[int | None, dict]:
    """Lends and returns of the month by the territory that recorded them."""
    undo = aliased(Event)
    undone = select(undo.id).where(undo.undoes_id == Event.id, undo.recorded_at < end).exists()
    rows = session.execute(
        select(Event.territory_id, Event.action, func.coalesce(func.sum(Event.quantity), 0))
        .where(Event.action.in_(("lend", "return")), Event.occurred_at >= start,
               Event.occurred_at < end, Event.recorded_at < end, ~undone)
        .group_by(Event.territory_id, Event.action))
    found: dict[int | None, dict] = defaultdict(dict)
    for tid, action, quantity in rows:
        found[tid][f"{action}s"] = int(quantity)
    return found


def _batches(session: Session, start: datetime, end: datetime) -> dict[int | None, dict]:
    """The month's closed batches by their washing site's territory
    (ix_batches_territory_closed_at), and the month's corrections of them."""
    closed = session.execute(
        select(Batch.territory_id, func.count(), func.sum(Batch.clean),
               func.sum(Batch.co2e_avoided_g), func.sum(Batch.waste_avoided_g))
        .where(Batch.status == "closed", Batch.closed_at >= start, Batch.closed_at < end)
        .group_by(Batch.territory_id))
    corrected = session.execute(
        select(Batch.territory_id,
               func.sum(BatchCorrection.clean_after - BatchCorrection.clean_before),
               func.sum(BatchCorrection.co2e_avoided_delta_g),
               func.sum(BatchCorrection.waste_avoided_delta_g))
        .join(Batch, Batch.id == BatchCorrection.batch_id)
        .where(BatchCorrection.made_at >= start, BatchCorrection.made_at < end)
        .group_by(Batch.territory_id))
    found: dict[int | None, dict] = defaultdict(lambda: dict.fromkeys(FIGURES[3:], 0))
    for tid, count, *sums in closed:
        found[tid]["batches"] = int(count)
        for key, value in zip(FIGURES[4:], sums, strict=True):
            found[tid][key] += int(value or 0)
    for tid, *sums in corrected:
        for key, value in zip(FIGURES[4:], sums, strict=True):
            found[tid][key] += int(value or 0)
    return found


def _row(code: str | None, name: str | None, parts: list[dict]) -> dict:
    row = {"territory": code, "name": name, **dict.fromkeys(FIGURES, 0)}
    for part in parts:
        for key, value in part.items():
            row[key] += value
    row["return_rate"] = _ratio(row["returns"], row["lends"])
    return row


def compare_territories(session: Session, month: str) -> dict:
    """The month of every territory, side by side: members, lends, returns, return rate,
    batches, clean containers, CO₂e and waste avoided; `none`: the line of the members
    outside every territory (None when it has nothing); `total`: the network."""
    start, end = month_bounds(month)
    sources = [_members(session), _circulation(session, start, end),
               _batches(session, start, end)]
    territories = session.execute(select(Territory.id, Territory.code, Territory.name)
                                  .order_by(Territory.name, Territory.code)).all()
    rows = [_row(code, name, [source.get(tid, {}) for source in sources])
            for tid, code, name in territories]
    outside = _row(None, None, [source.get(None, {}) for source in sources])
    every = [part for source in sources for part in source.values()]
    return {"month": month, "rows": rows,
            "none": outside if any(outside[key] for key in FIGURES) else None,
            "total": _row(None, None, every)}
