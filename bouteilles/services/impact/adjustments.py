"""Corrections of closed batches as the adjustments of the month they are made in.

A month's figures never change once it has ended (ARCHITECTURE.md, "Corrections
and closed months"): a batch keeps the figures of its close in its own month,
and each correction of it is an adjustment line of the month in which it is
made, naming the batch and the month of its close. Read by SQL over
`batch_corrections` (indexed by `made_at`), as the batches are.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import DateTime, Select, and_, bindparam, case, func, select, type_coerce
from sqlalchemy.orm import Session

from ...models import (
    Batch,
    BatchCorrection,
    BatchCorrectionReject,
    ContainerType,
    FactorSet,
    Organisation,
)
from ..deposits import calendar_bounds
from ..periods import PARIS
from ..territories import Scope

# The figures of an adjustment, in the API's names: a correction changes neither the
# batches counted nor their inputs.
FIGURE_KEYS = ("batches", "inputs", "containers_reused", "containers_rejected",
               "co2e_avoided_g", "co2e_process_g", "waste_avoided_g", "to_recycling_g")
_C, _R, _B, _SITE, _TYPE, _SET = (model.__table__.c for model in (
    BatchCorrection, BatchCorrectionReject, Batch, Organisation, ContainerType, FactorSet))
_DELTAS = (_C.clean_after - _C.clean_before, _C.rejected_after - _C.rejected_before,
           _C.co2e_avoided_delta_g, _C.co2e_process_delta_g, _C.waste_avoided_delta_g,
           _C.to_recycling_delta_g)


def _by_scope(stmt: Select) -> dict[str, Select]:
    """The statement over corrections made in [:start, :end), for the network, a :site_id
    and the batches of a :territory_id."""
    stmt = stmt.where(_C.made_at >= bindparam("start"), _C.made_at < bindparam("end"))
    return {"network": stmt, "site": stmt.where(_B.site_id == bindparam("site_id")),
            "territory": stmt.where(_B.territory_id == bindparam("territory_id"))}


_MONTH_ADJUSTMENTS = _by_scope(
    select(*_DELTAS, _C.id, type_coerce(_C.made_at, DateTime), _C.reason, _B.code,
           type_coerce(_B.closed_at, DateTime), _SITE.code, _SITE.name, _TYPE.code,
           _TYPE.name, _TYPE.family, _SET.code)
    .select_from(BatchCorrection.__table__)
    .join(Batch.__table__, _B.id == _C.batch_id)
    .join(Organisation.__table__, _SITE.id == _B.site_id)
    .join(ContainerType.__table__, _TYPE.id == _B.type_id)
    .outerjoin(FactorSet.__table__, _SET.id == _B.factor_set_id)
    .order_by(_C.made_at, _C.id))
# Rejected containers by reason, what the corrections of the month changed, and their
# glass mass (the type's mass the batch's impact was computed with).
_MONTH_REJECTS = _by_scope(
    select(_R.reason, func.sum(_R.count_after - _R.count_before),
           func.sum((_R.count_after - _R.count_before) * _C.mass_g))
    .select_from(BatchCorrectionReject.__table__)
    .join(BatchCorrection.__table__, _C.id == _R.correction_id)
    .join(Batch.__table__, _B.id == _C.batch_id)
    .group_by(_R.reason).order_by(_R.reason))


def _utc_iso(naive) -> str:
    return f"{naive.isoformat()}+00:00"


def month_adjustments(session: Session, scope: str, params: dict) -> list[dict]:
    """The corrections made in the month (params: start, end, site_id), oldest first, as
    adjustment lines: the batch and the month of its close, and the differences."""
    lines = []
    for row in session.execute(_MONTH_ADJUSTMENTS[scope], params):
        (clean, rejected, avoided, process, waste, recycled, cid, made_at, reason, code,
         closed_at, site, site_name, ctype, type_name, family, factor_set) = row
        lines.append({
            "id": cid, "batch": code,
            "batch_month": closed_at.replace(tzinfo=UTC).astimezone(PARIS).strftime("%Y-%m"),
            "batch_closed_at": _utc_iso(closed_at), "corrected_at": _utc_iso(made_at),
            "reason": reason, "site": site, "site_name": site_name, "type": ctype,
            "type_name": type_name, "family": family, "factor_set": factor_set,
            "batches": 0, "inputs": 0, "containers_reused": int(clean),
            "containers_rejected": int(rejected), "co2e_avoided_g": int(avoided),
            "co2e_process_g": int(process), "waste_avoided_g": int(waste),
            "to_recycling_g": int(recycled)})
    return lines


def month_reject_adjustments(session: Session, scope: str, params: dict
                             ) -> dict[str, tuple[int, int]]:
    """reason → (count, glass mass in grams) the month's corrections added (or took)."""
    return {reason: (int(n or 0), int(g or 0))
            for reason, n, g in session.execute(_MONTH_REJECTS[scope], params)}


def adjustments_by_month(session: Session, months: list[str], site_id: int | None, *,
                         scope: Scope = Scope.WHOLE) -> dict[str, dict[str, int]]:
    """Consecutive `months` → the sums of the corrections made in each, in one query."""
    bounds = [calendar_bounds(m) for m in months]
    bucket = case(*((and_(_C.made_at >= s, _C.made_at < e), m)
                    for m, (s, e) in zip(months, bounds, strict=True))).label("month")
    stmt = (select(bucket, *(func.coalesce(func.sum(d), 0) for d in _DELTAS))
            .select_from(BatchCorrection.__table__)
            .where(_C.made_at >= bounds[0][0], _C.made_at < bounds[-1][1])
            .group_by(bucket))
    if site_id is not None:
        stmt = stmt.join(Batch.__table__, _B.id == _C.batch_id).where(_B.site_id == site_id)
    elif not scope.whole:
        stmt = stmt.join(Batch.__table__, _B.id == _C.batch_id).where(
            _B.territory_id == scope.territory_id)
    return {month: dict(zip(FIGURE_KEYS, (0, 0, *(int(v) for v in sums)), strict=True))
            for month, *sums in session.execute(stmt)}


def added(figures: dict, adjustment: dict) -> dict:
    """`figures` with an adjustment's figures added (other keys kept)."""
    return {**figures, **{key: figures.get(key, 0) + adjustment.get(key, 0)
                          for key in FIGURE_KEYS}}
