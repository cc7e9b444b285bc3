"""What a site's batch of one type usually holds, to catch a count that cannot be right.

The usual batch is the median inputs of the site's last `HISTORY` closed batches
of that type (the median: one odd batch in the history moves it little). A
close whose inputs are above `UNUSUAL_FACTOR` times it asks the operator to
confirm; a site with no closed batch of that type has no usual batch, and
nothing is asked.
"""

from __future__ import annotations

from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Batch

HISTORY = 20
UNUSUAL_FACTOR = 10


def usual_inputs(session: Session, batch: Batch) -> float | None:
    """The median inputs of the site's last closed batches of the batch's type."""
    inputs = session.scalars(
        select(Batch.inputs)
        .where(Batch.site_id == batch.site_id, Batch.type_id == batch.type_id,
               Batch.status == "closed", Batch.id != batch.id)
        .order_by(Batch.closed_at.desc(), Batch.id.desc()).limit(HISTORY)
    ).all()
    return median(inputs) if inputs else None


def is_unusual(inputs: int, usual: float | None) -> bool:
    """Whether `inputs` are above ten times the `usual` batch (never without one)."""
    return usual is not None and inputs > usual * UNUSUAL_FACTOR
