"""A month of the event log as EPCIS 2.0 JSON-LD, streamed (mapping: services/epcis.py)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import Batch, BatchReject, ContainerType, Event, Organisation
from .deposits import month_bounds
from .epcis import EventDict, stream_epcis_document
from .items import get_org


def _scan_events(session: Session, start: datetime, end: datetime, org_id: int | None
                 ) -> Iterator[EventDict]:
    """The month's events except per-container batch closes (batches are exported whole)."""
    org, holder, before = aliased(Organisation), aliased(Organisation), aliased(Organisation)
    stmt: Select = (
        select(Event, org.code, holder.code, before.code, ContainerType.code, Batch.code)
        .join(org, org.id == Event.org_id).join(holder, holder.id == Event.holder_id)
        .outerjoin(before, before.id == Event.from_holder_id)
        .join(ContainerType, ContainerType.id == Event.type_id)
        .outerjoin(Batch, Batch.id == Event.batch_id)
        .where(Event.occurred_at >= start, Event.occurred_at < end,
               Event.action != "batch_close")
        .order_by(Event.occurred_at, Event.id)
    )
    if org_id is not None:
        stmt = stmt.where(or_(Event.org_id == org_id, Event.holder_id == org_id,
                              Event.from_holder_id == org_id))
    rows = session.execute(stmt.execution_options(yield_per=1000))
    for event, org_code, holder_code, before_code, type_code, batch_code in rows:
        crate = event.crate_id is not None
        yield {
            "id": event.id, "action": event.action, "code": event.code,
            "kind": "crate" if crate else "container", "type": type_code,
            "quantity": event.quantity if crate else None,
            "from_state": event.from_state, "to_state": event.to_state, "org": org_code,
            "to_org": holder_code if holder_code != org_code else None,
            "from_org": before_code if before_code != holder_code else None,
            "occurred_at": event.occurred_at, "recorded_at": event.recorded_at,
            "reason": event.reason, "anomaly": event.anomaly, "batch": batch_code,
        }


def _codes(session: Session, batch_id: int, action: str, to_state: str | None = None
           ) -> list[str]:
    """Codes of labelled containers that went into (wash) or came out of (close) a batch."""
    stmt = select(Event.code).where(Event.batch_id == batch_id, Event.action == action,
                                    Event.container_id.is_not(None)).order_by(Event.id)
    if to_state:
        stmt = stmt.where(Event.to_state == to_state)
    return list(session.scalars(stmt))


def _batch_events(session: Session, start: datetime, end: datetime, org_id: int | None
                  ) -> Iterator[EventDict]:
    """One transformation per batch closed in the month: inputs washed, clean outputs."""
    stmt = (select(Batch).where(Batch.status == "closed", Batch.closed_at >= start,
                                Batch.closed_at < end).order_by(Batch.closed_at, Batch.id))
    if org_id is not None:
        stmt = stmt.where(Batch.site_id == org_id)
    for batch in session.scalars(stmt).all():
        washed = _codes(session, batch.id, "wash")
        clean = _codes(session, batch.id, "batch_close", "clean")
        rejects = session.execute(select(BatchReject.reason, BatchReject.count)
                                  .where(BatchReject.batch_id == batch.id))
        yield {
            "id": f"batch-{batch.code}", "action": "batch_close", "type": batch.type.code,
            "org": batch.site.code, "batch": batch.code, "occurred_at": batch.closed_at,
            "recorded_at": batch.closed_at,
            "inputs": {"codes": washed, "quantity": batch.inputs - len(washed)},
            "outputs": {"codes": clean, "quantity": batch.clean - len(clean)},
            "rejected": {reason: count for reason, count in rejects},
        }


def month_event_dicts(session: Session, month: str, org_code: str | None = None
                      ) -> Iterator[EventDict]:
    """The month's events (Paris calendar) as EPCIS event dicts, oldest first."""
    start, end = month_bounds(month)
    org = get_org(session, org_code) if org_code else None
    org_id = org.id if org is not None and org.kind != "coordinator" else None
    return heapq.merge(_scan_events(session, start, end, org_id),
                       _batch_events(session, start, end, org_id),
                       key=lambda e: e["occurred_at"])


def export_epcis_month(session: Session, month: str, *, base_url: str,
                       org_code: str | None = None) -> Iterator[str]:
    """The month as an EPCISDocument, as JSON text chunks (for a streamed response or a file)."""
    events = month_event_dicts(session, month, org_code)
    return stream_epcis_document(events, base_url=base_url, sender=org_code or None)
