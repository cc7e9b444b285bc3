"""One scan of a labelled container: read, decide, write if unchanged, retry.

Every move of a labelled container, from a page, the API or the counter, is
written by `write_move`, in a handful of SQLAlchemy Core statements run on the
driver's cursor (`driver_sql.DriverStatement`; lends and returns at the
counter are the network's most frequent writes):

1. read the container with its type, holder, open ledger entry and batch, and
   what the write will compare (`statements.READ_BOX`); never locked;
2. ask `lifecycle` (the one table of rules) and plan the rows and the answer
   (`plan_move`, which depends on nothing but the row read);
3. write them only if the container is still as read (compare-and-set); else
   read again and decide again (`move_container`).

Every refusal is decided before the first write, so a refused scan writes
nothing. What each database compares, and why, is in `statements` and in
docs/decisions.md ("One path per move").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from ...models import MAX_ID, Batch
from .. import lifecycle
from ..errors import Contended, InvalidTransition
from ..items.lookup import record_facts
from ..members.accounts import Actor
from ..territories import require_within
from . import counted_returns
from .move_plan import (
    AFTER_PREVIOUS,
    ContainerMove,
    OpenBatch,
    Place,
    PlannedMove,
    plan_move,
    refund_rejected,
)
from .pickup_close import close_pickup_requests
from .statements import (
    ADD_INPUTS,
    COMPARED,
    INSERT_ENTRY,
    INSERT_EVENT,
    LAST_EVENT,
    NEXT_ENTRY_ID,
    READ_BOX_RUN,
    STORE_ANSWER,
    UPDATE_IF_UNCHANGED,
    WRITE_IF_UNCHANGED_PG,
)

_b = Batch.__table__


# How many times a move is read and decided again when the container moved
# between the read and the write (two phones scanning one box at once).
MAX_ATTEMPTS = 5


def move_container(conn: Connection, actor: Actor, *, code: str, action: str,
                   occurred_at: datetime, now: datetime, to: Place | None = None,
                   reason: str | None = None, batch: str | None = None,
                   idempotency_key: str | None = None,
                   detail: dict | None = None,
                   decide: Callable[[object], lifecycle.Rule] | None = None,
                   ) -> ContainerMove | None:
    """Apply one scan to the container labelled `code`; None if no container has it.

    The caller has checked the input (action, who may act, reason, time);
    refusals raise InvalidTransition before anything is written. `detail` goes
    into the event as it is (an automatic loss says so). `decide`: the life
    cycle's rule for a move that is not a scan (a stock count's), from the row read.
    """
    for _attempt in range(MAX_ATTEMPTS):
        box = READ_BOX_RUN[conn.dialect.name].first(conn, {"code": code})
        if box is None:
            return None
        if box.label_detached_at is not None:
            raise InvalidTransition(replaced(box.code))
        require_within(actor, home=box.territory_id, holder=box.holder_territory_id)
        rule = decide(box) if decide is not None else lifecycle.decide(
            action, box.state, reason=reason, holder_kind=box.holder_kind,
            own=box.holder_id == actor.org_id)
        if rule.outcome == "refused":
            raise InvalidTransition(_l(rule.message, **_record_context(conn, box, actor)))
        joined = None
        if action == "wash":
            joined = join_open_batch(conn, type_id=box.type_id, type_name=box.type_name,
                                     actor=actor, batch=batch)
        claimed = None
        if rule.anomaly == "skipped_return" and box.state == "in_use":
            # Taken back and refunded by count at a restaurant: no step was skipped.
            claimed = counted_returns.claim(conn, type_id=box.type_id, lender_id=box.holder_id,
                                            at=occurred_at)
            if claimed is not None:
                rule = lifecycle.Rule("allowed", rule.to_state)
        planned = plan_move(box, actor, rule, action=action, occurred_at=occurred_at,
                            now=now, to=to, reason=reason, idempotency_key=idempotency_key,
                            joined=joined, refund_rejected=refund_rejected(),
                            refunded_by=claimed.org_id if claimed else None)
        planned.event["detail"] = detail
        if write_move(conn, box, planned):
            if joined is not None:
                add_inputs(conn, joined, 1)
            return planned.move
        if claimed is not None:
            counted_returns.unclaim(conn, claimed)
        if conn.dialect.name == "sqlite":
            # The transaction took the write lock at BEGIN IMMEDIATE, before the
            # read, so nothing else can have moved the row; were it ever to happen,
            # fail the request rather than keep the half-written move.
            raise RuntimeError("a SQLite move was written without the write lock")
    raise Contended(_l("Cet objet est scanné ailleurs au même moment : réessayez."))


def replaced(code: str) -> object:
    """The refusal of a scan of a label that was replaced (`relabel`) by `code`."""
    return _l("Cette étiquette a été remplacée par %(code)s : scannez la nouvelle étiquette.",
              code=code)


def write_move(conn: Connection, box, planned: PlannedMove, *,
               answer_key: str | None = None) -> bool:
    """Write `planned` (decided on the row `box`, as `READ_BOX` read it) if the
    container is unchanged since; store the API answer under `answer_key` if
    given. False if it moved: PostgreSQL then wrote nothing (one statement);
    SQLite may have written the event, the caller undoes it (the counter's
    savepoint, `group_commit`) or held the write lock since the read."""
    if conn.dialect.name == "postgresql":
        return _written(conn, planned, _write_pg(conn, box, planned, answer_key))
    move = planned.move
    try:
        move.event_id, move.deposit_id = insert_rows(conn, box, planned.event, planned.entries)
    except IntegrityError:
        # The open ledger entry was closed since the read (its closing entry is
        # unique): the container moved.
        return False
    move.event["id"] = move.event_id
    if not UPDATE_IF_UNCHANGED.run(conn, {
            **projection_params(box, planned.projection, move.deposit_id),
            **{f"was_{column}": getattr(box, read_as) for column, read_as in COMPARED}}):
        return False
    return _written(conn, planned, answer_key is None or bool(STORE_ANSWER.run(conn, {
        "key": answer_key, "org_id": planned.event["org_id"], "body": move.body,
        "now": planned.event["recorded_at"]})))


def _written(conn: Connection, planned: PlannedMove, written: bool) -> bool:
    """After a move written: a collect closes the pickup request where it took place."""
    if written:
        event = planned.event
        close_pickup_requests(conn, action=event["action"],
                              from_holder_id=event["from_holder_id"], org_id=event["org_id"],
                              event_id=planned.move.event_id,
                              occurred_at=event["occurred_at"])
    return written


def _write_pg(conn: Connection, box, planned: PlannedMove, answer_key: str | None) -> bool:
    """PostgreSQL's write: one statement, the ids drawn at the read (a second
    ledger entry's drawn here: a lost box returned, rare)."""
    move, entries = planned.move, planned.entries
    planned.event["id"] = move.event["id"] = move.event_id = box.next_event_id
    ids = [box.next_entry_id, *(NEXT_ENTRY_ID.first(conn, {}).id for _ in entries[1:])]
    first = entries[0] if entries else {}
    second = entries[1] if len(entries) > 1 else {}
    move.deposit_id = ids[len(entries) - 1] if entries else None
    try:
        row = WRITE_IF_UNCHANGED_PG.first(conn, {
            **projection_params(box, planned.projection, move.deposit_id), **planned.event,
            "row_version": box.row_version,
            "entry_id": ids[0] if first else None, "entry_kind": first.get("kind"),
            "entry_org_id": first.get("org_id"), "entry_amount": first.get("amount_cents"),
            "entry_lend_id": first.get("lend_entry_id"),
            "entry2_id": ids[1] if second else None, "entry2_kind": second.get("kind"),
            "entry2_org_id": second.get("org_id"),
            "entry2_amount": second.get("amount_cents"),
            "answer_key": answer_key, "answer": move.body})
    except IntegrityError:
        if answer_key is None:
            raise
        return False  # the key was stored since the read: nothing of this is kept
    return bool(row.moved)


def insert_rows(conn: Connection, box, event: dict,
                entries: list[dict]) -> tuple[int, int | None]:
    """The event and its ledger entries, one statement each: (event id, last entry id)."""
    event_id = INSERT_EVENT.first(conn, {"id": None, **event}).id
    entry_id = None
    for entry in entries:
        lend_entry_id = entry_id if entry["lend_entry_id"] == AFTER_PREVIOUS else \
            entry["lend_entry_id"]
        entry_id = INSERT_ENTRY.first(conn, {
            **entry, "lend_entry_id": lend_entry_id, "container_id": box.id,
            "event_id": event_id, "territory_id": event["territory_id"],
            "occurred_at": event["occurred_at"], "recorded_at": event["recorded_at"]}).id
    return event_id, entry_id


def projection_params(box, projection: dict, entry_id: int | None) -> dict:
    """The projection's parameters (the writes of `write_move`): the container's new
    state, its open ledger entry being `entry_id` if the move made one."""
    return {**projection, "item_batch_id": projection["batch_id"], "container_id": box.id,
            "lend_entry_id": entry_id or box.lend_entry_id}


def join_open_batch(conn: Connection, *, type_id: int, type_name: str, actor: Actor,
                    batch: str | None) -> OpenBatch:
    """The open batch a `wash` scan feeds, locked: the one named, else the site's latest."""
    stmt = select(_b.c.id, _b.c.code).where(_b.c.status == "open", _b.c.type_id == type_id)
    if batch is not None:
        # Ids beyond MAX_ID (or non-ASCII digits) would crash the driver: names then.
        as_id = batch.isascii() and batch.isdigit() and int(batch) <= MAX_ID
        by_id = _b.c.id == int(batch) if as_id else _b.c.code == batch
        stmt = stmt.where(by_id | (_b.c.code == batch))
    else:
        stmt = stmt.where(_b.c.site_id == actor.org_id)
    found = conn.execute(stmt.order_by(_b.c.opened_at.desc()).limit(1).with_for_update()).first()
    if found is None:
        raise InvalidTransition(_l(
            "Aucun lot ouvert pour « %(type)s » chez %(site)s : ouvrez un lot d'abord.",
            type=type_name, site=actor.org_name,
        ))
    return OpenBatch(found.id, found.code)


def add_inputs(conn: Connection, batch: OpenBatch, quantity: int) -> None:
    """Count what a `wash` scan put into the batch."""
    conn.execute(ADD_INPUTS, {"row_id": batch.id, "n": quantity})


def _record_context(conn: Connection, box, actor: Actor) -> dict:
    """What a refusal message to `actor` may quote about this container."""
    since = conn.execute(LAST_EVENT, {"id": box.id}).scalar() or box.created_at
    return record_facts(state=box.state, holder_id=box.holder_id, holder_name=box.holder_name,
                        viewer_org_id=actor.org_id, viewer_kind=actor.kind, since=since,
                        batch=box.batch_code, reason=box.reject_reason)
