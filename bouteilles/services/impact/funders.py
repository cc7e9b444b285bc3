"""What funders ask for besides CO₂e and waste: the month in progress, circulation
(lends, returns, losses, reuses per container, deposits held at month end), the
range of the figures under the factors' ranges, and hours of work.

All SQL aggregates. A figure of a month counts only what was recorded before
the month ended (`recorded_at`), so a late scan replayed from a phone, like a
batch correction, never changes a month that has ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Float, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ...models import (
    Batch,
    BatchCorrection,
    ContainerType,
    DepositEntry,
    Event,
    Factor,
    Organisation,
    Territory,
    utcnow,
)
from ..deposits import HELD_SIGN, month_bounds
from ..periods import PARIS
from ..territories import Scope

# French legal working time, hours a year of one full-time job (Code du travail,
# L3121-27 and the 7 hours of the journée de solidarité: 35 h × 52 − holidays).
ANNUAL_HOURS = Decimal(1607)
# The pilot's own estimate (IMPACT.md, "Jobs"): jobs per million bottles reused.
JOBS_ESTIMATE = (1, 2)
MILLION = Decimal(1_000_000)


def month_period(month: str, now: datetime | None = None) -> dict:
    """`in_progress`: the month is the current one in Paris; `through`: its last day
    counted so far (today, Paris), else None."""
    start, end = month_bounds(month)
    moment = now or utcnow()
    if start <= moment < end:
        return {"in_progress": True, "through": moment.astimezone(PARIS).date().isoformat()}
    return {"in_progress": False, "through": None}


def _ratio(part: int, whole: int, places: str = "0.0001") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def _counted(action: str, start: datetime, end: datetime, org_id: int | None,
             scope: Scope = Scope.WHOLE, territories: Sequence[int] = ()):
    """Σ quantity of `action` events of the month recorded before its end, not undone then;
    of one organisation, or recorded in the territory of `scope`. The whole network's
    names its `territories` (and the rows of none): PostgreSQL then reads the month's
    rows of the action through `ix_events_territory_action_time`, one range a
    territory, where without them it reads every event of the month (0.17 s against
    0.78 s for a month's lends at 10^7 events, docs/scaling.md)."""
    undo = aliased(Event)
    undone = exists().where(undo.undoes_id == Event.id, undo.recorded_at < end)
    stmt = (select(func.coalesce(func.sum(Event.quantity), 0))
            .where(Event.action == action, Event.occurred_at >= start, Event.occurred_at < end,
                   Event.recorded_at < end, ~undone))
    if org_id is not None:
        return stmt.where(Event.org_id == org_id)
    if scope.whole and territories:
        return stmt.where(or_(Event.territory_id.in_(territories),
                              Event.territory_id.is_(None)))
    return stmt.where(scope.rows(Event.territory_id))


def circulation(session: Session, month: str, org: Organisation | None, *,
                scope: Scope = Scope.WHOLE) -> dict:
    """Lends, returns and losses of the month, their rates, reuses per container and the
    deposits held at the month's end (cents); of one organisation when `org` is given
    (not a coordinator), else of the network or the territory of `scope`: what its
    members recorded (the `territory_id` of events and ledger entries)."""
    start, end = month_bounds(month)
    org_id = org.id if org is not None and org.kind != "coordinator" else None
    territories = session.scalars(select(Territory.id)).all() if scope.whole else ()
    lends, returns, lost = (int(session.scalar(_counted(a, start, end, org_id, scope,
                                                        territories)))
                            for a in ("lend", "return", "lose"))
    signed = case(*((DepositEntry.kind == k, DepositEntry.amount_cents * s)
                    for k, s in HELD_SIGN.items()), else_=0)
    held = select(func.coalesce(func.sum(signed), 0)).where(
        DepositEntry.occurred_at < end, DepositEntry.recorded_at < end)
    if org_id is not None:
        held = held.where(DepositEntry.org_id == org_id)
    else:
        held = held.where(scope.rows(DepositEntry.territory_id))
    reuses = None
    if org_id is None:  # the scope's clean outputs ÷ the containers its members commissioned
        clean = session.scalar(select(func.coalesce(func.sum(Batch.clean), 0)).where(
            Batch.status == "closed", Batch.closed_at < end, scope.rows(Batch.territory_id)))
        corrected = select(func.coalesce(func.sum(
            BatchCorrection.clean_after - BatchCorrection.clean_before), 0)).where(
            BatchCorrection.made_at < end)
        if not scope.whole:
            corrected = corrected.join(Batch, Batch.id == BatchCorrection.batch_id).where(
                Batch.territory_id == scope.territory_id)
        corrected = session.scalar(corrected)
        commissioned = session.scalar(
            _counted("commission", datetime(2000, 1, 1, tzinfo=PARIS), end, None, scope))
        reuses = _ratio(int(clean) + int(corrected), int(commissioned), "0.01")
    return {"lends": lends, "returns": returns, "lost": lost,
            "return_rate": _ratio(returns, lends), "loss_rate": _ratio(lost, lends),
            "reuses_per_container": reuses, "deposits_held_cents": int(session.scalar(held))}


def work(session: Session, month: str, site: Organisation | None, kind: str, *,
         scope: Scope = Scope.WHOLE) -> dict:
    """Hours worked on the month's batches (those that recorded them), full-time
    equivalents, and jobs per million containers reused by those batches."""
    start, end = month_bounds(month)
    if kind == "member":
        return {"hours_worked": Decimal(0), "insertion_hours": Decimal(0), "batches": 0,
                "containers_reused": 0, "fte": Decimal(0), "jobs_per_million": None,
                "annual_hours": ANNUAL_HOURS, "estimate": JOBS_ESTIMATE}
    hours = Batch.hours_worked.isnot(None)
    stmt = select(func.sum(cast(Batch.hours_worked, Float)),
                  func.sum(cast(Batch.insertion_hours, Float)),
                  func.count(), func.sum(Batch.clean)).where(
        Batch.status == "closed", Batch.closed_at >= start, Batch.closed_at < end, hours)
    if kind == "site":
        stmt = stmt.where(Batch.site_id == site.id)
    elif kind == "territory":
        stmt = stmt.where(Batch.territory_id == scope.territory_id)
    worked, insertion, batches, clean = session.execute(stmt).one()
    worked = Decimal(str(round(worked or 0, 2))).quantize(Decimal("0.01"))
    insertion = Decimal(str(round(insertion or 0, 2))).quantize(Decimal("0.01"))
    years = worked / ANNUAL_HOURS
    per_million = (years / (Decimal(clean) / MILLION)).quantize(Decimal("0.01"), ROUND_HALF_UP) \
        if clean else None
    return {"hours_worked": worked, "insertion_hours": insertion, "batches": int(batches),
            "containers_reused": int(clean or 0),
            "fte": (worked * 12 / ANNUAL_HOURS).quantize(Decimal("0.01"), ROUND_HALF_UP),
            "jobs_per_million": per_million, "annual_hours": ANNUAL_HOURS,
            "estimate": JOBS_ESTIMATE}


# The terms of IMPACT.md whose factor is linear in a stored or counted quantity, and
# the sign each has in `co2e_avoided_g` (or `waste_avoided_g`): (figure, family,
# factor key, quantity, sign, unmetered batches only).
_TERMS = (
    ("co2e", "bottle", "ef_glass", "waste", 1, False),        # gross = N_ok × m × EF_glass
    ("co2e", "box", "ef_glass", "recycled", -1, False),       # replacement = N_rej × m × EF
    ("co2e", "box", "e_su_box", "clean", 1, False),           # gross = N_ok × e_SU
    ("co2e", "bottle", "e_wash_bottle", "clean", -1, True),   # washing per bottle
    ("co2e", "box", "e_wash_box", "clean", -1, True),         # washing per box
    ("waste", "box", "m_su_box", "clean", 1, False),          # waste = N_ok × m_SU − …
)


def sensitivity(session: Session, month: str, site: Organisation | None, kind: str,
                totals: dict, *, scope: Scope = Scope.WHOLE) -> dict | None:
    """The month's CO₂e and waste avoided with every ranged factor at the end of its
    range that lowers (then raises) them; other factors, metered energy and transport
    at their values. Over the month's batches; the month's corrections are counted at
    their value. None for a member (its share follows the network's batches)."""
    if kind == "member":
        return None
    start, end = month_bounds(month)
    # No bind parameter in it: PostgreSQL must see the GROUP BY expression as the selected one.
    metered = or_(Batch.electricity_kwh.isnot(None), Batch.gas_kwh.isnot(None))
    stmt = (select(Batch.factor_set_id, ContainerType.family, metered,
                   func.sum(Batch.clean), func.sum(Batch.waste_avoided_g),
                   func.sum(Batch.to_recycling_g))
            .join(ContainerType, ContainerType.id == Batch.type_id)
            .where(Batch.status == "closed", Batch.closed_at >= start, Batch.closed_at < end,
                   Batch.factor_set_id.isnot(None))
            .group_by(Batch.factor_set_id, ContainerType.family, metered))
    if kind == "site":
        stmt = stmt.where(Batch.site_id == site.id)
    elif kind == "territory":
        stmt = stmt.where(Batch.territory_id == scope.territory_id)
    groups = session.execute(stmt).all()
    factors = {(f.factor_set_id, f.key): f for f in session.scalars(
        select(Factor).where(Factor.factor_set_id.in_({g[0] for g in groups})))}
    low = {"co2e": Decimal(0), "waste": Decimal(0)}
    high = dict(low)
    for set_id, family, is_metered, clean, waste, recycled in groups:
        is_metered = bool(is_metered)
        quantity = {"clean": clean or 0, "waste": waste or 0, "recycled": recycled or 0}
        for figure, term_family, key, what, sign, unmetered in _TERMS:
            factor = factors.get((set_id, key))
            if term_family != family or (unmetered and is_metered) or factor is None \
                    or factor.low is None or factor.high is None:
                continue
            deltas = [sign * Decimal(quantity[what]) * (end_value - factor.value)
                      for end_value in (factor.low, factor.high)]
            low[figure] += min(deltas)
            high[figure] += max(deltas)

    def grams(base: int, delta: Decimal) -> int:
        return base + int(delta.quantize(Decimal(1), ROUND_HALF_UP))

    return {"co2e_avoided_low_g": grams(totals["co2e_avoided_g"], low["co2e"]),
            "co2e_avoided_high_g": grams(totals["co2e_avoided_g"], high["co2e"]),
            "waste_avoided_low_g": grams(totals["waste_avoided_g"], low["waste"]),
            "waste_avoided_high_g": grams(totals["waste_avoided_g"], high["waste"])}
