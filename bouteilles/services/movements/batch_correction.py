"""The correction of a closed batch's counts: one row and its rejects by reason.

`services/washing/corrections.py` decides who may correct what and computes
the impact with the batch's own factor set; the correction is written here,
with the rest of the log. It is appended, never applied to the batch row: the
close keeps its figures (its month never changes) and the correction carries
the difference, counted in the month it is made. It moves nothing: stock on
hand is recounted by scanning its crate with the quantity found, and a
labelled container found broken is rejected by a scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from ...models import Batch, BatchCorrection, BatchCorrectionReject, User


def write_batch_correction(
    session: Session, batch: Batch, *, actor: User, made_at: datetime, reason: str,
    before: tuple[int, Mapping[str, int]], after: tuple[int, Mapping[str, int]],
    mass_g: int, impact_delta: Mapping[str, int],
) -> BatchCorrection:
    """Append a correction of `batch`: `before` and `after` are (clean, rejects by
    reason); `impact_delta` the four figures' differences in grams."""
    (clean_before, rejects_before), (clean_after, rejects_after) = before, after
    correction = BatchCorrection(
        batch_id=batch.id, made_at=made_at, made_by_id=actor.id, reason=reason,
        clean_before=clean_before, rejected_before=sum(rejects_before.values()),
        clean_after=clean_after, rejected_after=sum(rejects_after.values()), mass_g=mass_g,
        co2e_avoided_delta_g=impact_delta["co2e_avoided_g"],
        co2e_process_delta_g=impact_delta["co2e_process_g"],
        waste_avoided_delta_g=impact_delta["waste_avoided_g"],
        to_recycling_delta_g=impact_delta["to_recycling_g"],
    )
    session.add(correction)
    session.flush()
    session.add_all(
        BatchCorrectionReject(correction_id=correction.id, reason=reason_code,
                              count_before=rejects_before.get(reason_code, 0),
                              count_after=rejects_after.get(reason_code, 0))
        for reason_code in sorted(set(rejects_before) | set(rejects_after))
        if rejects_before.get(reason_code, 0) or rejects_after.get(reason_code, 0))
    session.flush()
    return correction
