"""A month of the event log as EPCIS 2.0 JSON-LD (mapping: services/exports/epcis_document.py).

The month's scans and batch closes, oldest first; then what the month declared
in error: each event undone in the month, and each batch statement corrected
in the month with its corrective event (services/exports/corrections_epcis.py).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, case, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from ...models import Batch, Container, ContainerType, Crate, Event, Organisation
from ..deposits import month_bounds
from ..items.lookup import get_org
from ..labels.minting import type_grai
from ..territories import Scope, scope_of
from .epcis_corrections import batch_contents, batch_corrections
from .epcis_document import EventDict, stream_epcis_document
from .epcis_names import Names

# Plain columns through Core, codes from small dicts loaded once: a network's month is
# ~10^6 events, and ORM entities (each with two joined organisations) cost 40 s of it.
_EVENT, _BATCH, _CRATE, _BOX = (model.__table__ for model in (Event, Batch, Crate, Container))
_ROWS_PER_FETCH = 2000
_BATCHES_PER_QUERY = 500


class _Orgs(dict[int, str]):
    """Organisations' codes by id, with their kinds and GLNs."""

    kinds: dict[int, str]
    glns: dict[str, str]


def _codes_by_id(session: Session, model: type[ContainerType]) -> dict[int, str]:
    table = model.__table__
    return dict(session.execute(select(table.c.id, table.c.code)).all())


def _orgs(session: Session) -> _Orgs:
    o = Organisation.__table__.c
    orgs = _Orgs()
    orgs.kinds, orgs.glns = {}, {}
    for id_, code, kind, gln in session.execute(select(o.id, o.code, o.kind, o.gln)):
        orgs[id_], orgs.kinds[id_] = code, kind
        if gln:
            orgs.glns[code] = gln
    return orgs


def export_names(session: Session, config: Mapping[str, Any] | None = None) -> Names:
    """The GRAIs of the types' containers and crates (when GS1 is configured) and the
    organisations' GLNs."""
    glns = {code: gln for code, gln in session.execute(
        select(Organisation.code, Organisation.gln).where(Organisation.gln.is_not(None)))}
    grai = {}
    if config and config.get("GS1_COMPANY_PREFIX"):
        for ctype in session.scalars(select(ContainerType)):
            for kind in ("container", "crate"):
                grai[kind, ctype.code] = type_grai(config, ctype, crate=kind == "crate")
    return Names(grai=grai, glns=glns)


@contextmanager
def _planned_for_every_row(session: Session) -> Iterator[None]:
    """Open a cursor planned to be read to the end (PostgreSQL; elsewhere a no-op)."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    # A cursor is planned for its first 10 % of rows: the month in index order, 10^6
    # random heap reads. Read whole, a bitmap scan of its pages and a sort take half as
    # long (3.7 → 2.2 s for the network, 1.7 → 0.7 s for a member, at 10^7 events).
    before = session.scalar(text("SELECT current_setting('cursor_tuple_fraction')"))
    session.execute(text("SET LOCAL cursor_tuple_fraction = 1"))
    try:
        yield
    finally:  # the plan is fixed when the cursor is declared: restore the setting
        session.execute(text("SELECT set_config('cursor_tuple_fraction', :before, true)"),
                        {"before": before})


def _first_owner(e, column: str, owner_now):
    """The owner a commissioned object had before its first transfer (none: its owner
    now), read from the few transfers' index (`ix_events_transfers`)."""
    t = _EVENT.alias("tr").c
    same = and_(t.container_id == e.container_id, t.crate_id.is_(None)) \
        if column == "container_id" else and_(t.container_id.is_(None), t.crate_id == e.crate_id)
    before = (select(t.detail["from_owner"].as_integer())
              .where(same, literal_column("tr.action = 'transfer'"))
              .order_by(t.id).limit(1).scalar_subquery())
    return func.coalesce(before, owner_now)


def _event_rows():
    """The columns of `_event_dicts`, from the log and what it names."""
    e = _EVENT.c
    # The owner a commissioning named: the first one, whatever transfers came later.
    owner = case((e.action != "commission", None),
                 (e.container_id.is_not(None),
                  _first_owner(e, "container_id", _BOX.c.owner_id)),
                 else_=_first_owner(e, "crate_id", _CRATE.c.owner_id))
    return (
        select(e.id, e.action, e.code, e.crate_id, e.type_id, e.quantity, e.from_state,
               e.to_state, e.org_id, e.holder_id, e.from_holder_id, e.occurred_at,
               e.recorded_at, e.reason, e.anomaly, _BATCH.c.code, e.detail, owner)
        .select_from(_EVENT.outerjoin(_BATCH, _BATCH.c.id == e.batch_id)
                     # The owner is stated once, when the thing is commissioned.
                     .outerjoin(_BOX, and_(_BOX.c.id == e.container_id,
                                           e.action == "commission"))
                     .outerjoin(_CRATE, and_(_CRATE.c.id == e.crate_id,
                                             e.action == "commission"))))


def logged_event_dicts(session: Session, event_id: int) -> list[EventDict]:
    """One logged scan as event dicts: itself; an undo, as the event it undid, declared in
    error. Empty for what the export shows otherwise (a container's part of a batch
    close: the batch's transformation)."""
    e = _EVENT.c
    found = session.execute(select(e.action, e.occurred_at)
                            .where(e.id == event_id)).first()
    if found is None:
        return []
    orgs, types = _orgs(session), _codes_by_id(session, ContainerType)
    action, occurred_at = found
    if action == "undo":
        return [event for event in undone_events(session, occurred_at,
                                                 occurred_at + timedelta(microseconds=1),
                                                 None, orgs, types)
                if event["error_declaration"]["undo"] == event_id]
    rows = session.execute(_event_rows().where(
        e.id == event_id, or_(e.action != "batch_close", e.crate_id.is_not(None))))
    return list(_event_dicts(rows, orgs, types))


def _scan_events(session: Session, start: datetime, end: datetime, org_id: int | None,
                 orgs: dict[int, str], types: dict[int, str], scope: Scope = Scope.WHOLE
                 ) -> Iterator[EventDict]:
    """The month's events except per-container batch closes (batches are exported whole;
    an emptied crate's close is its own event) and undos (each declares the event it
    undid in error: `undone_events`); a territory's: those its members recorded."""
    e = _EVENT.c
    stmt = (_event_rows()
            .where(e.occurred_at >= start, e.occurred_at < end, e.action != "undo",
                   or_(e.action != "batch_close", e.crate_id.is_not(None)))
            .order_by(e.occurred_at, e.id))
    if org_id is not None:  # a filtered scan of the month: an index costs every scan a write
        stmt = stmt.where(or_(e.org_id == org_id, e.holder_id == org_id,
                              e.from_holder_id == org_id))
    stmt = stmt.where(scope.rows(e.territory_id))
    with _planned_for_every_row(session):
        rows = session.execute(stmt.execution_options(yield_per=_ROWS_PER_FETCH))
    with rows:  # a consumer that stops half-way closes the (server-side) cursor
        yield from _event_dicts(rows, orgs, types)


def undone_events(session: Session, start: datetime, end: datetime, org_id: int | None,
                  orgs: dict[int, str], types: dict[int, str], scope: Scope = Scope.WHOLE
                  ) -> Iterator[EventDict]:
    """Each event undone in the month, repeated as it was and declared in error: the
    move did not occur (the undo put the object back as it was)."""
    undone_table = _EVENT.alias("undone")
    e, undone = _EVENT.c, undone_table.c
    stmt = (
        select(undone.id, undone.action, undone.code, undone.crate_id, undone.type_id,
               undone.quantity, undone.from_state, undone.to_state, undone.org_id,
               undone.holder_id, undone.from_holder_id, undone.occurred_at,
               undone.recorded_at, undone.reason, undone.anomaly, _BATCH.c.code,
               undone.detail, e.id, e.recorded_at, e.detail)
        .select_from(_EVENT.join(undone_table, undone.id == e.undoes_id)
                     .outerjoin(_BATCH, _BATCH.c.id == undone.batch_id))
        .where(e.action == "undo", e.occurred_at >= start, e.occurred_at < end)
        .order_by(e.occurred_at, e.id))
    if org_id is not None:
        stmt = stmt.where(or_(e.org_id == org_id, e.holder_id == org_id,
                              e.from_holder_id == org_id))
    rows = session.execute(stmt.where(scope.rows(e.territory_id))).all()
    declared = _event_dicts(((*row[:17], None) for row in rows), orgs, types)
    for event, (*_undone, undo_id, undo_recorded_at, detail) in zip(declared, rows, strict=True):
        event["error_declaration"] = {"declared_at": undo_recorded_at, "reason": "did_not_occur",
                                      "undo": undo_id, "note": (detail or {}).get("reason")}
        yield event


def _event_dicts(rows, orgs: dict[int, str], types: dict[int, str]) -> Iterator[EventDict]:
    """One EPCIS-ready dict per event row."""
    kinds = orgs.kinds if isinstance(orgs, _Orgs) else {}
    for (id_, action, code, crate_id, type_id, quantity, from_state, to_state, org, holder,
         before, occurred_at, recorded_at, reason, anomaly, batch_code, detail, owner) in rows:
        org_code, holder_code = orgs[org], orgs[holder]
        before_code = orgs[before] if before is not None else None
        crate = crate_id is not None
        from_owner = None
        if action == "transfer" and detail:  # the owners before and after, named by it
            owner, from_owner = detail.get("owner"), detail.get("from_owner")
        found: EventDict = {
            "id": id_, "action": action, "code": code,
            "kind": "crate" if crate else "container", "type": types[type_id],
            "quantity": quantity if crate else None,
            "from_state": from_state, "to_state": to_state, "org": org_code,
            "to_org": holder_code if holder_code != org_code else None,
            "from_org": before_code if before_code != holder_code else None,
            "occurred_at": occurred_at, "recorded_at": recorded_at,
            "reason": reason, "anomaly": anomaly, "batch": batch_code,
            "replaces": detail.get("replaces") if detail and action == "relabel" else None,
            "holder_kind": kinds.get(holder), "owner": orgs[owner] if owner else None,
        }
        if from_owner:
            found["from_owner"] = orgs[from_owner]
        yield found


def _batch_events(session: Session, start: datetime, end: datetime, org_id: int | None,
                  orgs: dict[int, str], types: dict[int, str], scope: Scope = Scope.WHOLE
                  ) -> Iterator[EventDict]:
    """One transformation per batch closed in the month: inputs washed, clean outputs."""
    b = _BATCH.c
    stmt = (select(b.id, b.code, b.type_id, b.site_id, b.closed_at, b.inputs, b.clean)
            .where(b.status == "closed", b.closed_at >= start, b.closed_at < end)
            .order_by(b.closed_at, b.id))
    if org_id is not None:
        stmt = stmt.where(b.site_id == org_id)
    batches = session.execute(stmt.where(scope.rows(b.territory_id))).all()
    # The contents of a few hundred batches per query: a month's codes (~10 % of its
    # events) are never all held at once, and a network's month takes a few queries.
    for i in range(0, len(batches), _BATCHES_PER_QUERY):
        chunk = batches[i:i + _BATCHES_PER_QUERY]
        washed, clean, rejects = batch_contents(session, [batch.id for batch in chunk])
        for batch_id, code, type_id, site_id, closed_at, inputs, clean_count in chunk:
            codes_in, codes_out = washed.get(batch_id, []), clean.get(batch_id, [])
            yield {
                "id": f"batch-{code}", "action": "batch_close", "type": types[type_id],
                "org": orgs[site_id], "batch": code, "occurred_at": closed_at,
                "recorded_at": closed_at,
                "inputs": {"codes": codes_in, "quantity": inputs - len(codes_in)},
                "outputs": {"codes": codes_out, "quantity": clean_count - len(codes_out)},
                "rejected": rejects.get(batch_id, {}),
            }


def month_event_dicts(session: Session, month: str, org_code: str | None = None, *,
                      scope: Scope = Scope.WHOLE) -> Iterator[EventDict]:
    """The month's events (Paris calendar) as EPCIS event dicts, oldest first; then its
    declarations of events recorded in error. A territory's (`scope`): the events its
    members recorded and its washing sites' batches (the `territory_id` columns)."""
    start, end = month_bounds(month)
    org = get_org(session, org_code) if org_code else None
    org_id = org.id if org is not None and org.kind != "coordinator" else None
    if org is not None:  # one member's, or what a coordinator coordinates
        scope = Scope.WHOLE if org_id is not None else scope_of(org)
    orgs, types = _orgs(session), _codes_by_id(session, ContainerType)
    return itertools.chain(
        heapq.merge(_scan_events(session, start, end, org_id, orgs, types, scope),
                    _batch_events(session, start, end, org_id, orgs, types, scope),
                    key=itemgetter("occurred_at")),
        undone_events(session, start, end, org_id, orgs, types, scope),
        batch_corrections(session, start, end, org_id, orgs, types, scope=scope))


def export_epcis_month(session: Session, month: str, *, base_url: str,
                       org_code: str | None = None,
                       config: Mapping[str, Any] | None = None,
                       scope: Scope = Scope.WHOLE) -> Iterator[str]:
    """The month as an EPCISDocument, as JSON text chunks (for a streamed response or a file):
    the network's, a territory's (`scope`) or one member's (`org_code`).

    `config`: the app's configuration (GS1_COMPANY_PREFIX, GS1_ASSET_TYPES)."""
    names = export_names(session, config)
    events = month_event_dicts(session, month, org_code, scope=scope)
    return stream_epcis_document(events, base_url=base_url, sender=org_code or None,
                                 names=names)
