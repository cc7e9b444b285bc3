"""Impact of washing batches (IMPACT.md) and the monthly impact queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Select, and_, bindparam, case, false, func, select, type_coerce
from sqlalchemy.orm import Session

from ...models import Batch, BatchReject, ContainerType, FactorSet, Organisation
from ..deposits import calendar_bounds, month_bounds
from ..items.lookup import get_org
from ..periods import parse_month
from ..territories import Scope, scope_of
from .adjustments import (
    added,
    adjustments_by_month,
    month_adjustments,
    month_reject_adjustments,
)
from .funders import circulation, month_period, sensitivity, work
from .member_share import member_month, member_series

FACTOR_KEYS = (
    "ef_glass", "e_wash_bottle", "e_wash_box", "ef_elec", "ef_gas",
    "ef_van_km", "ef_truck_tkm", "e_su_box", "m_su_box",
)
TRANSPORT_MODES = ("van", "truck")
_GRAMS_PER_TONNE = Decimal(1_000_000)


@dataclass(frozen=True)
class BatchImpact:
    """A batch's impact in whole grams (rounded once, half-up)."""

    co2e_avoided_g: int
    co2e_process_g: int
    waste_avoided_g: int
    to_recycling_g: int

    def as_dict(self) -> dict[str, int]:
        """The four figures as a plain dict."""
        return asdict(self)


def round_g(value: Decimal) -> int:
    """Round grams to the nearest whole gram, halves away from zero (ROUND_HALF_UP)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _decimal(value: object, what: object) -> Decimal:
    """Convert a number (int, str, Decimal, float) to a finite Decimal or raise ValueError
    (its message, French made translatable, names `what`)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_l("%(what)s : un nombre est attendu (reçu %(value)s)", what=what,
                            value=repr(value)))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(_l("%(what)s : un nombre est attendu (reçu %(value)s)", what=what,
                            value=repr(value))) from None
    if not number.is_finite():
        raise ValueError(_l("%(what)s : un nombre fini est attendu (reçu %(value)s)",
                            what=what, value=repr(value)))
    return number


def _non_negative(value: object, what: object) -> Decimal:
    """A Decimal that must be ≥ 0."""
    number = _decimal(value, what)
    if number < 0:
        raise ValueError(_l("%(what)s : zéro ou plus (reçu %(value)s)", what=what, value=value))
    return number


def _factor(factors: Mapping[str, object], key: str) -> Decimal:
    """Read one factor, with a clear message when the factor set lacks it."""
    if key not in factors:
        raise ValueError(_l("le jeu de facteurs n'a pas de facteur « %(key)s » : ajoutez-le "
                            "à un nouveau jeu", key=key))
    return _decimal(factors[key], _l("facteur %(key)s", key=key))


def transport_g(
    legs: Sequence[Mapping], *, inputs_mass_g: Decimal, factors: Mapping[str, object]
) -> Decimal:
    """Unrounded CO₂e of transport legs: van per vehicle-km, truck per tonne-km of inputs."""
    total = Decimal(0)
    for i, leg in enumerate(legs, start=1):
        if not isinstance(leg, Mapping):
            raise ValueError(_l("trajet %(n)s : un objet avec « km » et « mode » est attendu",
                                n=i))
        mode = leg.get("mode")
        if mode not in TRANSPORT_MODES:
            raise ValueError(_l("trajet %(n)s : le mode est « van » ou « truck » (reçu "
                                "%(mode)s)", n=i, mode=repr(mode)))
        km = _non_negative(leg.get("km"), _l("trajet %(n)s : km", n=i))
        if mode == "van":
            total += km * _factor(factors, "ef_van_km")
        else:
            tonnes = inputs_mass_g / _GRAMS_PER_TONNE
            total += tonnes * km * _factor(factors, "ef_truck_tkm")
    return total


def compute_batch_impact(
    *,
    family: str,
    mass_g: int | Decimal,
    n_in: int,
    n_ok: int,
    n_rej: int,
    factors: Mapping[str, Decimal],
    electricity_kwh: Decimal | None = None,
    gas_kwh: Decimal | None = None,
    transport: Sequence[Mapping] = (),
) -> BatchImpact:
    """Compute one batch's CO₂e and waste figures exactly as IMPACT.md defines them."""
    if family not in ("bottle", "box"):
        raise ValueError(_l("famille « bottle » ou « box » attendue (reçu %(family)s)",
                            family=repr(family)))
    for what, count in (("n_in", n_in), ("n_ok", n_ok), ("n_rej", n_rej)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(_l("%(what)s : un nombre entier positif ou nul est attendu "
                                "(reçu %(count)s)", what=what, count=repr(count)))
    if n_ok + n_rej != n_in:
        raise ValueError(_l("propres (%(ok)s) + écartés (%(rejected)s) doit égaler les "
                            "entrées (%(inputs)s)", ok=n_ok, rejected=n_rej, inputs=n_in))
    m = _non_negative(mass_g, "mass_g")
    ok, rej = Decimal(n_ok), Decimal(n_rej)

    if electricity_kwh is not None or gas_kwh is not None:
        elec = _non_negative(electricity_kwh or 0, "electricity_kwh")
        gas = _non_negative(gas_kwh or 0, "gas_kwh")
        washing = Decimal(0)
        if elec:
            washing += elec * _factor(factors, "ef_elec")
        if gas:
            washing += gas * _factor(factors, "ef_gas")
    else:
        per_item = "e_wash_bottle" if family == "bottle" else "e_wash_box"
        washing = ok * _factor(factors, per_item)
    moved = transport_g(transport, inputs_mass_g=Decimal(n_in) * m, factors=factors)
    to_recycling = rej * m

    if family == "bottle":
        gross = ok * m * _factor(factors, "ef_glass")
        process = washing + moved
        waste = ok * m
    else:
        gross = ok * _factor(factors, "e_su_box")
        replacement = rej * m * _factor(factors, "ef_glass") if rej else Decimal(0)
        process = washing + replacement + moved
        waste = ok * _factor(factors, "m_su_box") - rej * m
    return BatchImpact(
        co2e_avoided_g=round_g(gross - process),
        co2e_process_g=round_g(process),
        waste_avoided_g=round_g(waste),
        to_recycling_g=round_g(to_recycling),
    )


# ---- Month queries: over the stored figures of closed batches (never a loop over events) ----

FIGURES = ("inputs", "clean", "rejected", "co2e_avoided_g", "co2e_process_g",
           "waste_avoided_g", "to_recycling_g")


def _figures(row: Sequence) -> dict[str, int]:
    """API figures from a (count, *sums) row."""
    count, inputs, clean, rejected, *grams = (int(v or 0) for v in row)
    return {"batches": count, "inputs": inputs, "containers_reused": clean,
            "containers_rejected": rejected,
            **dict(zip(FIGURES[3:], grams, strict=True))}


def _summed(rows: Sequence[Sequence]) -> dict[str, int]:
    """API figures of batch rows whose first columns are FIGURES: their count and sums."""
    sums = [sum(column) for column in islice(zip(*rows, strict=True), len(FIGURES))]
    return _figures([len(rows), *(sums or [0] * len(FIGURES))])


def impact_scope(session: Session, org_code: str | None, scope: Scope = Scope.WHOLE
                 ) -> tuple[str, Organisation | None, Scope]:
    """Whose batches count: the network, a territory's, one washing site's, or a member's
    share (no batches of its own); and the territory read. A coordinator organisation
    stands for what it coordinates: its territory, or the network."""
    org = get_org(session, org_code) if org_code else None
    if org is not None and org.kind != "coordinator":
        return ("site" if org.kind == "washing_site" else "member"), org, scope
    if org is not None:
        scope = scope_of(org)
    return ("network" if scope.whole else "territory"), org, scope


def _closed(stmt: Select, start: datetime, end: datetime, kind: str, org,
            scope: Scope = Scope.WHOLE) -> Select:
    """Restrict a statement to batches closed in [start, end) within the scope."""
    stmt = stmt.where(Batch.status == "closed", Batch.closed_at >= start, Batch.closed_at < end)
    if kind == "site":
        return stmt.where(Batch.site_id == org.id)
    if kind == "territory":
        return stmt.where(Batch.territory_id == scope.territory_id)
    return stmt.where(false()) if kind == "member" else stmt


# The month's two statements are built once and bound at each call, and select Core
# columns, not ORM attributes, so that a month's ≈1,500 batch rows skip the ORM's
# per-column loading: the target is the API at most 2 × the hand-written SQL of
# bench/impact.py, and these Python costs weighed more than the SQL itself.
_BATCH, _SITE, _TYPE, _SET, _REJECT = (model.__table__.c for model in (
    Batch, Organisation, ContainerType, FactorSet, BatchReject))


def _by_scope(stmt: Select) -> dict[str, Select]:
    """The statement over batches closed in [:start, :end), for the network, a :territory_id
    (ix_batches_territory_closed_at) and a :site_id."""
    stmt = stmt.where(_BATCH.status == "closed", _BATCH.closed_at >= bindparam("start"),
                      _BATCH.closed_at < bindparam("end"))
    return {"network": stmt, "site": stmt.where(_BATCH.site_id == bindparam("site_id")),
            "territory": stmt.where(_BATCH.territory_id == bindparam("territory_id"))}


# The batches in closing order: their FIGURES first, then id, code, closed_at (naive UTC,
# not UTCDateTime's aware value: half the cost per row), site, type and factor set.
_MONTH_BATCHES = _by_scope(
    select(*(func.coalesce(_BATCH[f], 0) for f in FIGURES), _BATCH.id, _BATCH.code,
           type_coerce(_BATCH.closed_at, DateTime), _SITE.code, _SITE.name,
           _TYPE.code, _TYPE.name, _TYPE.family, _SET.code)
    .select_from(Batch.__table__)
    .join(Organisation.__table__, _SITE.id == _BATCH.site_id)
    .join(ContainerType.__table__, _TYPE.id == _BATCH.type_id)
    .outerjoin(FactorSet.__table__, _SET.id == _BATCH.factor_set_id)
    .order_by(_BATCH.closed_at, _BATCH.id))
# Rejected containers by reason, and their glass mass: the mass stored at the close
# (exact: to_recycling_g = rejected × m), so editing a type's mass later never
# changes a past month.
_MONTH_REJECTS = _by_scope(
    select(_REJECT.reason, func.sum(_REJECT.count),
           func.sum(_REJECT.count * _BATCH.to_recycling_g / _BATCH.rejected))
    .select_from(BatchReject.__table__)
    .join(Batch.__table__, _BATCH.id == _REJECT.batch_id)
    .group_by(_REJECT.reason).order_by(_REJECT.reason))


def monthly_impact(session: Session, month: str, org_code: str | None = None, *,
                   scope: Scope = Scope.WHOLE) -> dict:
    """The month's impact (API.md `GET /api/v1/impact`), from batches closed that month
    and the corrections made that month (`adjustments`, services/impact/adjustments.py).

    The network, a territory (`scope`: its washing sites' batches) and a washing site
    sum their batches' rounded figures and the adjustments; a member (restaurant,
    shop…) gets its share of them (see services/impact/member_share.py).
    """
    kind, org, scope = impact_scope(session, org_code, scope)
    if kind == "member":  # a member's share, not batches (services/impact/member_share.py)
        figures = member_month(session, month, org)
    else:
        figures = _month_batches(session, month, org_code, kind, org, scope)
    territory = {"territory": scope.territory_code if kind == "territory" else None,
                 "territory_name": scope.territory_name if kind == "territory" else None}
    return {**figures, **territory, **month_period(month),
            **funders_figures(session, month, kind, org, figures, scope=scope)}


def _json(values: dict) -> dict:
    """Decimals as JSON numbers (rates, hours), the rest as it is."""
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def funders_figures(session: Session, month: str, kind: str, org, totals: dict, *,
                    scope: Scope = Scope.WHOLE) -> dict:
    """Circulation, sensitivity and work of the month (services/impact/funders.py)."""
    spread = sensitivity(session, month, org, kind, totals, scope=scope)
    jobs = work(session, month, org, kind, scope=scope)
    return {"circulation": _json(circulation(session, month, org, scope=scope)),
            "sensitivity": spread,
            "work": {**_json(jobs), "estimate": list(jobs["estimate"])}}


def _month_batches(session: Session, month: str, org_code: str | None, kind: str, org,
                   scope: Scope) -> dict:
    """monthly_impact of the network, a territory or a washing site: its batches and
    adjustments."""
    start, end = month_bounds(month)
    params = {"start": start, "end": end, "site_id": org.id if kind == "site" else None,
              "territory_id": scope.territory_id}
    rows = session.execute(_MONTH_BATCHES[kind], params).all()
    # Totals, by type and by site summed here from the batch rows: cheaper than a
    # GROUP BY statement each. Sorted by code as SQL would (binary / C collation).
    by_batch, by_type, by_site = [], {}, {}
    for row in rows:
        (inputs, clean, rejected, avoided, process, waste, recycled,
         bid, code, closed, site, site_name, ctype, type_name, family, factor_set) = row
        by_batch.append({  # closed_at as isoformat() of the aware UTC time would write it
            "id": bid, "code": code, "closed_at": f"{closed.isoformat()}+00:00", "site": site,
            "site_name": site_name, "type": ctype, "type_name": type_name,
            "factor_set": factor_set, "batches": 1, "inputs": inputs,
            "containers_reused": clean, "containers_rejected": rejected,
            "co2e_avoided_g": avoided, "co2e_process_g": process, "waste_avoided_g": waste,
            "to_recycling_g": recycled})
        by_type.setdefault((ctype, type_name, family), []).append(row)
        by_site.setdefault((site, site_name), []).append(row)
    types = {key: _summed(found) for key, found in by_type.items()}
    sites = {key: _summed(found) for key, found in by_site.items()}
    totals = _summed(rows)
    adjustments = month_adjustments(session, kind, params)
    for line in adjustments:
        totals = added(totals, line)
        key = (line["type"], line["type_name"], line["family"])
        types[key] = added(types.get(key, {}), line)
        key = (line["site"], line["site_name"])
        sites[key] = added(sites.get(key, {}), line)
    rejects = {reason: (int(n), int(g)) for reason, n, g in
               session.execute(_MONTH_REJECTS[kind], params)}
    for reason, (n, g) in month_reject_adjustments(session, kind, params).items():
        was = rejects.get(reason, (0, 0))
        rejects[reason] = (was[0] + n, was[1] + g)
    used = {b["factor_set"] for b in by_batch} | {a["factor_set"] for a in adjustments}
    return {
        "month": month, "org": org_code or None, "scope": kind, **totals,
        "by_type": [{"type": c, "name": n, "family": f, **types[c, n, f]}
                    for c, n, f in sorted(types)],
        "by_site": [{"site": c, "name": n, **sites[c, n]} for c, n in sorted(sites)],
        "by_batch": by_batch,
        "adjustments": adjustments,
        "rejects": [{"reason": r, "count": n, "mass_g": g}
                    for r, (n, g) in sorted(rejects.items()) if n or g],
        "factor_sets": sorted(code for code in used if code),
    }


def last_months(end_month: str, count: int = 12) -> list[str]:
    """The `count` months ending with `end_month`, oldest first: ['2025-04', …, '2026-03']."""
    year, mon = (int(p) for p in end_month.split("-"))
    index = year * 12 + mon - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def twelve_months(session: Session, end_month: str, org_code: str | None = None, *,
                  scope: Scope = Scope.WHOLE) -> list[dict]:
    """Monthly totals for the twelve months ending with `end_month`, in one SQL query."""
    months = last_months(parse_month(end_month))
    bounds = [calendar_bounds(m) for m in months]
    kind, org, scope = impact_scope(session, org_code, scope)
    if kind == "member":
        return member_series(session, months, org)
    bucket = case(*((and_(Batch.closed_at >= s, Batch.closed_at < e), m)
                    for m, (s, e) in zip(months, bounds, strict=True)))
    sub = _closed(select(bucket.label("month"), Batch.id, *(getattr(Batch, f) for f in FIGURES)),
                  bounds[0][0], bounds[-1][1], kind, org, scope).subquery()
    rows = session.execute(
        select(sub.c.month, func.count(sub.c.id),
               *(func.coalesce(func.sum(sub.c[f]), 0) for f in FIGURES)).group_by(sub.c.month)
    )
    found = {month: _figures(rest) for month, *rest in rows}
    corrected = adjustments_by_month(session, months, org.id if kind == "site" else None,
                                     scope=scope)
    return [{"month": m, **added(found.get(m, _figures([0] * 8)), corrected.get(m, {}))}
            for m in months]
