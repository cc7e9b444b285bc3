"""What a washing batch's page reads: its people, outputs and events, and either how
its inputs compare with the site's usual batch (open) or its figures as corrected and
its corrections (closed)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...models import Batch, User
from ..paging import paginate
from ..washing import site as washing
from ..washing.corrected import corrected_figures, corrections_of
from ..washing.corrections import may_correct
from ..washing.usual import is_unusual, usual_inputs


def batch_page_facts(session: Session, batch: Batch, *, viewer: User, page: int) -> dict:
    """The batch page's facts (its forms aside), as the template names them."""
    people = {uid: session.get(User, uid) for uid in (batch.opened_by_id, batch.closed_by_id)
              if uid}
    facts = {
        "batch": batch, "outputs": washing.batch_outputs(session, batch),
        "events": paginate(session, washing.batch_events(batch), page),
        "opened_by": people.get(batch.opened_by_id), "closed_by": people.get(batch.closed_by_id),
        "usual_inputs": None, "unusual": False, "figures": None, "corrections": [],
        "may_correct": False,
    }
    if batch.status == "open":
        usual = usual_inputs(session, batch)
        facts.update(usual_inputs=usual, unusual=is_unusual(batch.inputs, usual))
    else:
        facts.update(figures=corrected_figures(session, batch),
                     corrections=corrections_of(session, batch),
                     may_correct=may_correct(viewer, batch))
    return facts
