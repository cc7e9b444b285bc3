"""A batch's contents, and the month's batch corrections, as EPCIS event dicts.

A correction declares in error the statement of the batch it corrects (the
close, or the batch's previous correction), repeated as it was, and adds its
corrective event: the same TransformationEvent with the corrected outputs and
rejects, recorded when the correction was made. The batch's close stays as it
was in the month of the close (services/exports/epcis_document.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ...models import Batch, BatchCorrection, BatchCorrectionReject, BatchReject, Event
from ..territories import Scope
from .epcis_document import EventDict

_EVENT, _BATCH, _REJECT, _FIX, _FIX_REJECT = (model.__table__ for model in (
    Event, Batch, BatchReject, BatchCorrection, BatchCorrectionReject))


def batch_contents(session: Session, batch_ids: list[int]
                   ) -> tuple[dict[int, list[str]], dict[int, list[str]], dict[int, dict]]:
    """Labelled codes washed into and clean out of each batch, and its close's rejects
    by reason."""
    e, r = _EVENT.c, _REJECT.c
    washed: defaultdict[int, list[str]] = defaultdict(list)
    clean: defaultdict[int, list[str]] = defaultdict(list)
    for batch_id, action, code in session.execute(
            select(e.batch_id, e.action, e.code)
            .where(e.batch_id.in_(batch_ids), e.container_id.is_not(None),
                   or_(e.action == "wash", and_(e.action == "batch_close", e.to_state == "clean")))
            .order_by(e.id)):
        (washed if action == "wash" else clean)[batch_id].append(code)
    rejects: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for batch_id, reason, count in session.execute(
            select(r.batch_id, r.reason, r.count).where(r.batch_id.in_(batch_ids))
            .order_by(r.batch_id, r.reason)):
        rejects[batch_id][reason] = count
    return washed, clean, rejects


def statement_id(batch_code: str, correction_id: int | None) -> str:
    """The event id of a batch's statement: its close, or one of its corrections."""
    return f"batch-{batch_code}" + (f"-correction-{correction_id}" if correction_id else "")


def _rejects(session: Session, correction_ids: list[int]) -> dict[int, tuple[dict, dict]]:
    """Each correction's rejects by reason: (before, after)."""
    found: defaultdict[int, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    r = _FIX_REJECT.c
    for correction_id, reason, before, after in session.execute(
            select(r.correction_id, r.reason, r.count_before, r.count_after)
            .where(r.correction_id.in_(correction_ids)).order_by(r.correction_id, r.reason)):
        if before:
            found[correction_id][0][reason] = before
        if after:
            found[correction_id][1][reason] = after
    return found


def _previous(session: Session, batch_ids: set[int], last_id: int
              ) -> dict[int, tuple[int, datetime]]:
    """Each correction's previous correction of the same batch: (its id, when made)."""
    c = _FIX.c
    found, latest = {}, {}
    for batch_id, cid, made_at in session.execute(
            select(c.batch_id, c.id, c.made_at)
            .where(c.batch_id.in_(batch_ids), c.id <= last_id).order_by(c.id)):
        if batch_id in latest:
            found[cid] = latest[batch_id]
        latest[batch_id] = (cid, made_at)
    return found


def batch_corrections(session: Session, start: datetime, end: datetime, org_id: int | None,
                      orgs: dict[int, str], types: dict[int, str], *,
                      scope: Scope = Scope.WHOLE) -> Iterator[EventDict]:
    """For each correction made in the month, oldest first: the statement it corrects,
    declared in error, then its corrective event (a territory's: of its batches)."""
    c, b = _FIX.c, _BATCH.c
    stmt = (select(c.id, c.made_at, c.reason, c.clean_before, c.clean_after, b.id, b.code,
                   b.type_id, b.site_id, b.closed_at, b.inputs)
            .select_from(_FIX.join(_BATCH, b.id == c.batch_id))
            .where(c.made_at >= start, c.made_at < end)
            .order_by(c.made_at, c.id))
    if org_id is not None:
        stmt = stmt.where(b.site_id == org_id)
    rows = session.execute(stmt.where(scope.rows(b.territory_id))).all()
    if not rows:
        return
    previous = _previous(session, {row[5] for row in rows}, max(row[0] for row in rows))
    washed, clean, _rejects_at_close = batch_contents(session, list({row[5] for row in rows}))
    rejects = _rejects(session, [row[0] for row in rows])
    for (cid, made_at, reason, clean_before, clean_after, batch_id, code, type_id, site_id,
         closed_at, inputs) in rows:
        previous_id, previous_at = previous.get(cid, (None, None))
        codes_in, codes_out = washed.get(batch_id, []), clean.get(batch_id, [])
        before, after = rejects[cid]
        statement = {
            "action": "batch_close", "type": types[type_id], "org": orgs[site_id],
            "batch": code, "occurred_at": closed_at,
            "inputs": {"codes": codes_in, "quantity": inputs - len(codes_in)},
        }
        corrective = statement_id(code, cid)
        yield {
            **statement, "id": statement_id(code, previous_id),
            "recorded_at": previous_at or closed_at,
            "outputs": {"codes": codes_out, "quantity": clean_before - len(codes_out)},
            "rejected": before,
            "error_declaration": {"declared_at": made_at, "reason": "incorrect_data",
                                  "corrective_ids": [corrective], "note": reason},
        }
        yield {
            **statement, "id": corrective, "recorded_at": made_at,
            "outputs": {"codes": codes_out, "quantity": clean_after - len(codes_out)},
            "rejected": after,
        }
