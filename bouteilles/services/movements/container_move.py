"""One scan of a labelled container in a handful of SQL statements.

Lends and returns at the counter are the network's most frequent writes. The ORM
way (load the objects, flush the event, the ledger entry and the projection one
by one, reload) cost about fifteen statements and 3 ms of Python per scan. This
module does the same move with SQLAlchemy Core on the session's connection, its
hot statements run on the driver's cursor (`driver_sql.DriverStatement`):

1. read the container with its type, holder, open ledger entry and batch; on
   PostgreSQL locked (`FOR UPDATE OF containers`, read again if it moved while
   we waited) and with the event's id drawn, possibly inside the API's first
   statement (`submissions`); SQLite's `BEGIN IMMEDIATE` already serialises
   writers;
2. ask `lifecycle` (the one table of rules), build the answer;
3. insert the event and the ledger entries, update the projection (and the
   batch's input count on `wash`); on PostgreSQL in one statement, with the
   API's stored answer.

Every refusal is decided before the first write, so a refused scan writes
nothing. `movements.record_scan` and the API (`submissions`) both move containers
through `move_container`: there is one implementation of a container's move.
Crates (counted quantities) and commissioning keep the ORM path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from ...models import Batch
from .. import lifecycle
from ..deposits import OPENING_KINDS
from ..errors import InvalidTransition
from ..items.lookup import event_body, item_body, record_facts
from ..members.accounts import Actor
from .statements import (
    ADD_INPUTS,
    INSERT_ENTRY,
    INSERT_EVENT,
    LAST_EVENT,
    LOCK,
    READ_FOR_UPDATE,
    READ_PG,
    READ_SQLITE,
    UPDATE,
    WRITE_ALL,
)

_b = Batch.__table__


@dataclass(frozen=True)
class Place:
    """An organisation a thing moves to (`deliver … to`)."""

    id: int
    code: str
    name: str


@dataclass
class ContainerMove:
    """What a recorded scan did: the API descriptions and the rows' ids."""

    event: dict
    item: dict
    deposit: dict | None
    event_id: int
    container_id: int
    deposit_id: int | None
    batch_id: int | None
    answered: bool = False  # the API answer is stored (PostgreSQL's one write)

    @property
    def body(self) -> dict:
        """The API answer to the scan."""
        return {"event": self.event, "item": self.item, "deposit": self.deposit}


def move_container(conn: Connection, actor: Actor, *, code: str, action: str,
                   occurred_at: datetime, now: datetime, to: Place | None = None,
                   reason: str | None = None, batch: str | None = None,
                   idempotency_key: str | None = None,
                   store_answer: bool = False) -> ContainerMove | None:
    """Apply one scan to the container labelled `code`; None if no container has it.

    The caller has checked the input (action, who may act, reason, time);
    refusals raise InvalidTransition before anything is written.
    `store_answer`: PostgreSQL may store the API answer under `idempotency_key`
    with the move's writes (`answered` then says it did; the key's row was
    claimed before).
    """
    box = _read_locked(conn, code)
    if box is None:
        return None
    rule = lifecycle.decide(action, box.state, reason=reason)
    if rule.outcome == "refused":
        raise InvalidTransition(rule.message, **_record_context(conn, box, actor))
    joined = None
    if action == "wash":
        joined = join_open_batch(conn, type_id=box.type_id, type_name=box.type_name,
                                 actor=actor, batch=batch)
    planned = plan_move(box, actor, rule, action=action, occurred_at=occurred_at, now=now,
                        to=to, reason=reason, idempotency_key=idempotency_key, joined=joined)
    move, event, entries, projection = (planned.move, planned.event, planned.entries,
                                        planned.projection)
    event_id = getattr(box, "next_event_id", None)  # drawn by PostgreSQL's read
    if event_id is not None:
        event["id"] = move.event["id"] = move.event_id = event_id
    if event_id is not None and len(entries) <= 1:
        move.answered = store_answer and idempotency_key is not None
        move.deposit_id = _write_in_one_statement(
            conn, box, event, entries, projection,
            answer_key=idempotency_key if move.answered else None, answer=move.body)
    else:
        move.event_id, move.deposit_id = insert_rows(conn, box, event, entries)
        UPDATE.run(conn, projection_params(box, projection, move.deposit_id))
        move.event["id"] = move.event_id
    if joined is not None:
        add_inputs(conn, joined, 1)
    return move


@dataclass
class PlannedMove:
    """What a scan will write (event, ledger entries, projection) and answer."""

    move: ContainerMove
    event: dict
    entries: list[dict]
    projection: dict


def plan_move(box, actor: Actor, rule: lifecycle.Rule, *, action: str, occurred_at: datetime,
              now: datetime, to: Place | None, reason: str | None,
              idempotency_key: str | None, joined: OpenBatch | None) -> PlannedMove:
    """The rows a permitted move of `box` (a READ row) writes, and its answer.

    Depends on nothing but its arguments: what it plans is what any reader of
    the same row would plan (`counter` relies on it).
    """
    anomaly = lifecycle.anomaly_of(rule, action, holder_id=box.holder_id,
                                   actor_org_id=actor.org_id, actor_kind=actor.kind)
    holder_id = lifecycle.next_holder(action, actor_org_id=actor.org_id,
                                      to_org_id=to.id if to else None, holder_id=box.holder_id)
    state = rule.to_state
    entries = _ledger_entries(box, action, state, actor.org_id)
    held = box.deposit_held_cents
    if entries:
        held = entries[-1]["amount_cents"] if entries[-1]["kind"] in OPENING_KINDS else 0
    if joined is not None:
        batch_id, batch_code = joined.id, joined.code
    elif box.state == "washing" and state != "rejected":
        batch_id, batch_code = None, None
    else:
        batch_id, batch_code = box.batch_id, box.batch_code
    if state == "in_use":
        lent_at = occurred_at if box.state != "in_use" else box.lent_at
    else:
        lent_at = None

    event = {
        "action": action, "code": box.code, "container_id": box.id, "crate_id": None,
        "type_id": box.type_id, "org_id": actor.org_id, "user_id": actor.user_id,
        "from_holder_id": box.holder_id, "holder_id": holder_id, "from_state": box.state,
        "to_state": state, "quantity": 1, "quantity_delta": 0, "reason": reason,
        "anomaly": anomaly, "batch_id": joined.id if joined else None,
        "idempotency_key": idempotency_key, "occurred_at": occurred_at,
        "recorded_at": now,
    }
    projection = {
        "state": state, "holder_id": holder_id, "batch_id": batch_id, "lent_at": lent_at,
        "reject_reason": reason if state == "rejected" else None, "updated_at": now,
        "deposit_held_cents": held,
        "last_event_at": max(box.last_event_at or occurred_at, occurred_at),
    }
    holder = _holder(box, actor, to, holder_id)
    entry = entries[-1] if entries else None
    move = ContainerMove(
        event=event_body(
            id=None, action=action, code=box.code, org=actor.org_code, holder=holder.code,
            from_state=box.state, to_state=state, quantity=1, quantity_delta=0,
            reason=reason, anomaly=anomaly, occurred_at=occurred_at, recorded_at=now),
        item=item_body(
            code=box.code, kind="container", type_code=box.type_code,
            type_name=box.type_name, family=box.family, state=state, holder_code=holder.code,
            holder_name=holder.name, cycles=box.cycles, quantity=1,
            deposit_cents=box.deposit_cents, deposit_held_cents=held,
            reject_reason=reason if state == "rejected" else None, batch=batch_code,
            updated_at=now),
        deposit=None if entry is None else {
            "kind": entry["kind"], "amount_cents": entry["amount_cents"],
            "org": actor.org_code if entry["org_id"] == actor.org_id else None,
        },
        event_id=0, container_id=box.id, deposit_id=None,
        batch_id=joined.id if joined else None,
    )
    return PlannedMove(move, event, entries, projection)


def _read_locked(conn: Connection, code: str):
    """The container row (locked on PostgreSQL) with its type, holder, entry and batch.

    PostgreSQL: one `SELECT … FOR UPDATE OF containers` (READ_FOR_UPDATE), read
    again, fresh, if its joined rows are stale (`_joins_match`).
    """
    if conn.dialect.name != "postgresql":
        return READ_SQLITE.first(conn, {"code": code})
    box = conn.execute(READ_FOR_UPDATE, {"code": code}).first()
    if box is not None and _joins_match(box):
        return box
    if conn.execute(LOCK, {"code": code}).first() is None:
        return None  # no container carries this label
    return conn.execute(READ_PG, {"code": code}).first()


def _joins_match(box) -> bool:
    """Whether a row of READ_FOR_UPDATE holds together. If another transaction
    moved the container while we waited for its lock, PostgreSQL re-checks the
    container's row after the wait, not the rows joined to it as read before:
    the holder's join then fails (no row at all), and the open ledger entry's or
    the batch's outer join comes back empty. The row is locked by now either way."""
    return (box.lend_entry_id is None) == (box.entry_kind is None) \
        and (box.batch_id is None) == (box.batch_code is None)


_AFTER_PREVIOUS = -1  # lend_entry_id of a second entry: the first one's id


def _ledger_entries(box, action: str, to_state: str, org_id: int) -> list[dict]:
    """The ledger entries of the move (without ids), in order.

    Entries chain through `lend_entry_id`, which is unique: a lend's deposit is
    refunded (or forfeited) once, whatever is replayed or rescanned.
    """
    opening = None if box.lend_entry_id is None else {
        "id": box.lend_entry_id, "kind": box.entry_kind, "amount_cents": box.entry_amount,
        "org_id": box.entry_org_id}
    entries: list[dict] = []
    for kind in lifecycle.deposit_moves(action, box.state, to_state):
        if kind == "taken":
            if box.deposit_cents == 0:
                continue
            entry = {"kind": kind, "org_id": org_id, "amount_cents": box.deposit_cents,
                     "lend_entry_id": None}
        else:
            closes = ("forfeited",) if kind == "reinstated" else OPENING_KINDS
            if opening is None or opening["kind"] not in closes:
                continue  # lent without a deposit: nothing to move
            entry = {"kind": kind, "amount_cents": opening["amount_cents"],
                     "org_id": org_id if kind == "refunded" else opening["org_id"],
                     "lend_entry_id": opening.get("id", _AFTER_PREVIOUS)}
        entries.append(entry)
        opening = {key: value for key, value in entry.items() if key != "lend_entry_id"}
    return entries


def insert_rows(conn: Connection, box, event: dict,
                entries: list[dict]) -> tuple[int, int | None]:
    """The event and its ledger entries, one statement each: (event id, last entry id)."""
    event_id = INSERT_EVENT.first(conn, {"id": None, **event}).id
    entry_id = None
    for entry in entries:
        lend_entry_id = entry_id if entry["lend_entry_id"] == _AFTER_PREVIOUS else \
            entry["lend_entry_id"]
        entry_id = INSERT_ENTRY.first(conn, {
            **entry, "lend_entry_id": lend_entry_id, "container_id": box.id,
            "event_id": event_id, "occurred_at": event["occurred_at"],
            "recorded_at": event["recorded_at"]}).id
    return event_id, entry_id


def projection_params(box, projection: dict, entry_id: int | None) -> dict:
    """The projection's parameters (`UPDATE`, `WRITE_ALL`): the container's new
    state, its open ledger entry being `entry_id` if the move made one."""
    return {**projection, "item_batch_id": projection["batch_id"], "container_id": box.id,
            "lend_entry_id": entry_id or box.lend_entry_id}


def _write_in_one_statement(conn: Connection, box, event: dict, entries: list[dict],
                            projection: dict, *, answer_key: str | None,
                            answer: dict) -> int | None:
    """PostgreSQL: the writes in one round trip (data-modifying CTEs): the event
    (its id drawn with the read), its ledger entry, the projection, and the answer
    stored under `answer_key`. The entry's id."""
    entry = entries[0] if entries else {
        "kind": None, "org_id": None, "amount_cents": None, "lend_entry_id": None}
    row = WRITE_ALL.first(conn, {
        **projection_params(box, projection, None), **event,  # (the event's batch_id wins)
        "with_entry": bool(entries), "entry_kind": entry["kind"],
        "entry_org_id": entry["org_id"], "entry_amount": entry["amount_cents"],
        "entry_lend_id": entry["lend_entry_id"], "answer_key": answer_key, "answer": answer,
    })
    return row.entry_id


@dataclass(frozen=True)
class OpenBatch:
    id: int
    code: str


def join_open_batch(conn: Connection, *, type_id: int, type_name: str, actor: Actor,
                    batch: str | None) -> OpenBatch:
    """The open batch a `wash` scan feeds, locked: the one named, else the site's latest."""
    stmt = select(_b.c.id, _b.c.code).where(_b.c.status == "open", _b.c.type_id == type_id)
    if batch is not None:
        # Ids beyond 64 bits (or non-ASCII digits) would crash the driver: names then.
        as_id = batch.isascii() and batch.isdigit() and int(batch) < 2**63
        by_id = _b.c.id == int(batch) if as_id else _b.c.code == batch
        stmt = stmt.where(by_id | (_b.c.code == batch))
    else:
        stmt = stmt.where(_b.c.site_id == actor.org_id)
    found = conn.execute(stmt.order_by(_b.c.opened_at.desc()).limit(1).with_for_update()).first()
    if found is None:
        raise InvalidTransition(
            "Aucun lot ouvert pour « {type} » chez {site} : ouvrez un lot d'abord.",
            type=type_name, site=actor.org_name,
        )
    return OpenBatch(found.id, found.code)


def add_inputs(conn: Connection, batch: OpenBatch, quantity: int) -> None:
    """Count what a `wash` scan put into the batch."""
    conn.execute(ADD_INPUTS, {"row_id": batch.id, "n": quantity})


def _holder(box, actor: Actor, to: Place | None, holder_id: int) -> Place:
    if to is not None and holder_id == to.id:
        return to
    if holder_id == actor.org_id:
        return Place(actor.org_id, actor.org_code, actor.org_name)
    return Place(box.holder_id, box.holder_code, box.holder_name)


def _record_context(conn: Connection, box, actor: Actor) -> dict:
    """What a refusal message to `actor` may quote about this container."""
    since = conn.execute(LAST_EVENT, {"id": box.id}).scalar() or box.created_at
    return record_facts(state=box.state, holder_id=box.holder_id, holder_name=box.holder_name,
                        viewer_org_id=actor.org_id, viewer_kind=actor.kind, since=since,
                        batch=box.batch_code, reason=box.reject_reason)
