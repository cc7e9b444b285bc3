"""A closed batch as it stands: the figures of its close, with its corrections applied.

The batch row keeps what its close recorded (the close's month shows it for
ever); `batch_corrections` holds each correction's counts before and after and
the difference of impact it makes. The batch as it stands is the close's
figures plus the sum of those differences, and the counts of its latest
correction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...models import Batch, BatchCorrection, BatchCorrectionReject

IMPACT_FIGURES = ("co2e_avoided_g", "co2e_process_g", "waste_avoided_g", "to_recycling_g")


@dataclass(frozen=True)
class BatchFigures:
    """A closed batch's counts and impact (grams) as they stand."""

    clean: int
    rejected: int
    rejects: dict[str, int]
    co2e_avoided_g: int
    co2e_process_g: int
    waste_avoided_g: int
    to_recycling_g: int
    corrections: int = 0

    def impact(self) -> dict[str, int]:
        """The four impact figures, in grams."""
        return {key: getattr(self, key) for key in IMPACT_FIGURES}


def delta_column(figure: str) -> str:
    """The correction's column holding the difference of one impact figure."""
    return figure.replace("_g", "_delta_g")


def close_figures(batch: Batch) -> BatchFigures:
    """The figures the batch's close recorded."""
    return BatchFigures(
        clean=batch.clean, rejected=batch.rejected,
        rejects={r.reason: r.count for r in batch.rejects},
        **{key: getattr(batch, key) or 0 for key in IMPACT_FIGURES})


def corrected_figures(session: Session, batch: Batch) -> BatchFigures:
    """The batch's figures with every correction applied (the close's when none)."""
    closed = close_figures(batch)
    c = BatchCorrection
    count, *deltas = session.execute(
        select(func.count(c.id), *(func.sum(getattr(c, delta_column(key)))
                                   for key in IMPACT_FIGURES))
        .where(c.batch_id == batch.id)).one()
    if not count:
        return closed
    latest = session.scalars(
        select(c).where(c.batch_id == batch.id).order_by(c.id.desc()).limit(1)
        .options(selectinload(c.rejects))).one()
    return BatchFigures(
        clean=latest.clean_after, rejected=latest.rejected_after,
        rejects={r.reason: r.count_after for r in latest.rejects if r.count_after},
        **{key: getattr(closed, key) + int(delta or 0)
           for key, delta in zip(IMPACT_FIGURES, deltas, strict=True)},
        corrections=int(count))


def corrected_clean(session: Session, batch_ids: list[int]) -> dict[int, int]:
    """The clean count of each corrected batch among `batch_ids` (its latest correction's)."""
    if not batch_ids:
        return {}
    latest = (select(func.max(BatchCorrection.id)).where(BatchCorrection.batch_id.in_(batch_ids))
              .group_by(BatchCorrection.batch_id))
    return dict(session.execute(select(BatchCorrection.batch_id, BatchCorrection.clean_after)
                                .where(BatchCorrection.id.in_(latest))).all())


def corrections_of(session: Session, batch: Batch) -> list[BatchCorrection]:
    """The batch's corrections, oldest first, with their rejects and who made them."""
    return list(session.scalars(
        select(BatchCorrection).where(BatchCorrection.batch_id == batch.id)
        .order_by(BatchCorrection.id)
        .options(selectinload(BatchCorrection.rejects), selectinload(BatchCorrection.made_by))))


def correction_rejects(correction: BatchCorrection) -> tuple[dict[str, int], dict[str, int]]:
    """A correction's rejects by reason, before and after (reasons with none left out)."""
    rows: list[BatchCorrectionReject] = correction.rejects
    return ({r.reason: r.count_before for r in rows if r.count_before},
            {r.reason: r.count_after for r in rows if r.count_after})
