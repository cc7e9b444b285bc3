"""SQLite's counter scans: decided on a snapshot, written only if nothing moved (issue 7).

SQLite has one write lock for the whole database, held from `BEGIN IMMEDIATE`
to `COMMIT`, so the scans of every worker run one after the other and the
throughput is one over the time the lock is held. Under 32 concurrent scanners
a scan held it 1.1 ms, of which ~0.6 ms was Python between the statements
(reading, deciding, building the answer), slowed by the other threads of its
process.

Here a lend or return (any permitted move that needs no other lookup) is
decided outside the lock, in a WAL snapshot (`database.get_read_session`): one
statement checks the bearer token and reads the container and the key, the
life cycle decides, the rows and the answer are built
(`container_moves.plan_move`, as for a locked read). The write transaction
then holds the lock for four statements:

1. the event, 2. its ledger entries (`container_moves.insert_rows`);
3. the projection, `UPDATE … WHERE` every column the decision read is still
   what it read (compare-and-set);
4. the stored answer, `INSERT … ON CONFLICT (key) DO NOTHING`.

If 3 or 4 changes no row, or 2 meets the ledger's unique closing entry, the
container moved or the key was answered since the snapshot: the transaction
is rolled back and the scan takes the general path (`submissions.submit_scan`),
which reads under the lock and answers as it always did. Anything the snapshot
cannot decide (a crate, an unknown code, a refusal, a key seen before, a wash,
a delivery) goes there at once.

PostgreSQL has row locks and does the whole scan in two statements instead
(`submissions`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, String, bindparam, select, true, type_coerce
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from .. import group_commit
from ..driver_sql import DriverConnection, DriverStatement
from ..models import Container, IdempotentResponse, utcnow
from ..models.base import UTCDateTime
from . import lifecycle
from .accounts import TOKEN_ACTOR, Actor, token_actor_columns, token_digest
from .container_moves import PlannedMove, insert_rows, plan_move, projection_params
from .errors import BouteillesError
from .move_statements import READ, UPDATE_SQL, timestamps
from .scans import check_scan

_c = Container.__table__
_KEYS = IdempotentResponse.__table__


def _snapshot_statement():
    """The token's actor and, if a container has the label, the container as `READ`
    reads it, with the raw text of its timestamps (compared as stored, whatever
    wrote them) and the key's stored status, if any. No valid token, no row."""
    actor = TOKEN_ACTOR.cte("actor")
    box = READ.add_columns(
        type_coerce(_c.c.lent_at, String).label("raw_lent_at"),
        type_coerce(_c.c.last_event_at, String).label("raw_last_event_at"),
        select(_KEYS.c.status).where(_KEYS.c.key == bindparam("key"))
        .scalar_subquery().label("key_status"),
    ).subquery("box")
    return select(*token_actor_columns(actor), box).select_from(actor.outerjoin(box, true()))


_SNAPSHOT = DriverStatement(_snapshot_statement())
# Every column `plan_move` reads of the container row; the joined rows (type,
# holder, ledger entry, batch) are fixed by these ids.
_UNCHANGED = """
  AND state = :was_state AND holder_id = :was_holder_id AND cycles IS :was_cycles
  AND batch_id IS :was_batch_id AND lend_entry_id IS :was_lend_entry_id
  AND deposit_held_cents IS :was_held AND lent_at IS :was_lent_at
  AND last_event_at IS :was_last_event_at"""
_UPDATE_IF_UNCHANGED = DriverStatement(timestamps(UPDATE_SQL + _UNCHANGED))
_STORE_ANSWER = DriverStatement(
    sqlite.insert(_KEYS).values(
        key=bindparam("key"), org_id=bindparam("org_id"), status=201,
        body=bindparam("body", type_=_KEYS.c.body.type),
        created_at=bindparam("now", type_=UTCDateTime()))
    .on_conflict_do_nothing(index_elements=["key"]))
# Actions that need more than the container's row (a batch to join, a place to
# deliver to) or that make one: the general path.
_ELSEWHERE = frozenset({"commission", "wash", "deliver"})


@dataclass
class SnapshotScan:
    """A scan decided on a snapshot, to be written by `write_if_unchanged`."""

    actor: Actor
    key: str
    box: object  # the _SNAPSHOT row
    planned: PlannedMove


def record_on_snapshot(conn: DriverConnection, token: str, key: str, code: str,
                       fields: dict) -> tuple[Actor, dict | None] | None:
    """Decide the scan in a read transaction of `conn`, then write it if nothing
    moved, in a transaction shared with the process's other scans of the moment
    (`group_commit`): None if the token is not valid, else (its actor, the
    answer if the scan is recorded, or None: the general path must record it;
    nothing of this one is left)."""
    conn.begin(read_only=True)
    found = plan_on_snapshot(conn, token, key, code, fields)
    conn.rollback()
    if found is None or found[1] is None:
        return found
    actor, decided = found
    return actor, group_commit.for_engine(conn.engine).write(conn, write_if_unchanged, decided)


def plan_on_snapshot(conn: Connection, token: str, key: str, code: str,
                     fields: dict) -> tuple[Actor, SnapshotScan | None] | None:
    """Check the token and decide a counter scan in `conn`'s snapshot, in one
    statement: None if the token is not valid, else (its actor, the decided scan
    or None when the general path must record it)."""
    action = fields["action"]
    now = utcnow()
    found = _SNAPSHOT.first(conn, {"digest": token_digest(token), "code": code, "key": key})
    if found is None:
        return None
    actor = Actor.of_row(found)
    if (found.id is None or found.key_status is not None or action in _ELSEWHERE
            or fields["to"] is not None or fields["batch"] is not None):
        return actor, None
    occurred_at = fields["occurred_at"] or now
    try:
        check_scan(actor.kind, action=action, occurred_at=occurred_at, now=now,
                   reason=fields["reason"], to=None, quantity=fields["quantity"])
    except BouteillesError:
        return actor, None  # the general path refuses it the same way, and says so
    rule = lifecycle.decide(action, found.state, reason=fields["reason"])
    if rule.outcome == "refused":
        return actor, None
    planned = plan_move(found, actor, rule, action=action, occurred_at=occurred_at, now=now,
                        to=None, reason=fields["reason"], idempotency_key=key, joined=None)
    return actor, SnapshotScan(actor, key, found, planned)


def write_if_unchanged(conn: Connection, scan: SnapshotScan) -> dict | None:
    """Write the planned scan and store its answer; None if the container moved or
    the key was answered since the snapshot (the caller rolls back)."""
    box, planned = scan.box, scan.planned
    move = planned.move
    try:
        move.event_id, move.deposit_id = insert_rows(conn, box, planned.event, planned.entries)
    except IntegrityError:
        # The open ledger entry was closed since the snapshot (its closing entry is
        # unique): the box moved. A fault of our own would fail the general path too.
        return None
    move.event["id"] = move.event_id
    if not _UPDATE_IF_UNCHANGED.run(conn, {
            **projection_params(box, planned.projection, move.deposit_id),
            "was_state": box.state, "was_holder_id": box.holder_id, "was_cycles": box.cycles,
            "was_batch_id": box.batch_id, "was_lend_entry_id": box.lend_entry_id,
            "was_held": box.deposit_held_cents, "was_lent_at": box.raw_lent_at,
            "was_last_event_at": box.raw_last_event_at}):
        return None
    body = move.body
    if not _STORE_ANSWER.run(conn, {"key": scan.key, "org_id": scan.actor.org_id,
                                    "body": body, "now": planned.event["recorded_at"]}):
        return None
    return body
