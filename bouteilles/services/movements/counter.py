"""The counter's scans, a lend or a return sent with a bearer token.

These are the network's most frequent writes, so they are recorded here without
the ORM session, on a connection of the pool driven through the driver
(`driver_sql.DriverConnection`), in as few statements as each database allows.
On both databases the scan is decided on what one statement reads (the bearer
token, the container, the key's stored status), then written only if the
container has not moved since: the projection's `UPDATE … WHERE` is a
compare-and-set (below, what each database compares). `plan_counter_scan` is
the one decision of both. Whatever cannot be decided from the container's row
alone (a crate, an unknown code, a refusal, a key seen before, a wash, a
delivery), and any scan whose compare-and-set finds the row changed, goes to
the general path (`submissions.submit_scan`), which reads under a lock and
answers as it always did: nothing of the attempt here is kept. Optimistic rather than locked
because two phones scanning one box within a millisecond is rare, and costs
one more read.

**PostgreSQL**: two statements, each its own transaction (autocommit: no BEGIN
and no COMMIT, so 3 round trips with the pool's ping against 5). The read
also draws the event's and the ledger entry's ids, so the answer is complete
before the write. The write is one statement (data-modifying CTEs): the
compare-and-set, and only if it changed the row, the event, its ledger entry
and the stored answer. It compares the row's version (`xmin`), not its values:
the event's id, drawn at the read, must be the container's next event, and a
move that leaves every value of the row as it was (a second collect of a
collected box, dated earlier) would otherwise let a scan decided before it be
written after it, with the smaller id (the log's replay then fails; the
32-scanner load test found it). Any update of the row, whatever it writes,
makes a new version. (A version that changed without a move, were VACUUM's
freezing ever to show one, would only send the scan to the general path.)
A key stored meanwhile by another request fails the statement on the key's
unique index; nothing of it stays.

**SQLite** has one write lock for the whole database, held from `BEGIN
IMMEDIATE` to `COMMIT`, so writers of every worker run one after the other and
the throughput is one over the time the lock is held. The read is a WAL
snapshot, outside the lock. The write happens under the lock, in a
transaction shared with the other scans of its worker that are waiting
(`group_commit`), in four statements:

1. the event, 2. its ledger entries (`container_move.insert_rows`);
3. the projection, compare-and-set;
4. the stored answer, `INSERT … ON CONFLICT (key) DO NOTHING`.

If 3 or 4 changes no row, or 2 meets the ledger's unique closing entry, the
container moved or the key was answered since the snapshot: this scan's
writes are undone and it takes the general path.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ...db import group_commit
from ...db.driver import DriverConnection
from ...models import utcnow
from .. import lifecycle
from ..errors import BouteillesError
from ..members.accounts import Actor, token_digest
from .container_move import PlannedMove, insert_rows, plan_move, projection_params
from .scans import check_scan
from .statements import (
    COMPARED,
    SNAPSHOT,
    STORE_ANSWER,
    UPDATE_IF_UNCHANGED,
    WRITE_IF_UNCHANGED_PG,
)

# Actions that need more than the container's row (a batch to join, a place to
# deliver to) or that make one: the general path. So does any scan carrying `to`
# or `batch`, where `scans.check_scan` also refuses a `to` the action takes none of.
_ELSEWHERE = frozenset({"commission", "wash", "deliver"})


def record_counter_scan(conn: DriverConnection, token: str, key: str, code: str,
                        fields: dict) -> tuple[Actor, dict | None] | None:
    """Record a lend or return on `conn`: None if the token is not valid, else (its
    actor, the answer if the scan is recorded, or None: the general path must
    record it, and nothing of this attempt is left)."""
    if conn.dialect.name == "postgresql":
        return _record_on_snapshot_pg(conn, token, key, code, fields)
    return _record_on_snapshot(conn, token, key, code, fields)


def plan_counter_scan(box, actor: Actor, key: str, fields: dict) -> PlannedMove | None:
    """What a scan of the container row `box` (as `statements.READ` reads it)
    writes and answers; None if it is not a permitted lend or return that needs
    nothing but the row (the general path then records it, or refuses it and
    says why)."""
    action = fields["action"]
    if action in _ELSEWHERE or fields["to"] is not None or fields["batch"] is not None:
        return None
    now = utcnow()
    occurred_at = fields["occurred_at"] or now
    try:
        check_scan(actor.kind, action=action, occurred_at=occurred_at, now=now,
                   reason=fields["reason"], to=None, quantity=fields["quantity"])
    except BouteillesError:
        return None
    rule = lifecycle.decide(action, box.state, reason=fields["reason"])
    if rule.outcome == "refused":
        return None
    return plan_move(box, actor, rule, action=action, occurred_at=occurred_at, now=now,
                     to=None, reason=fields["reason"], idempotency_key=key, joined=None)


def _record_on_snapshot_pg(conn: DriverConnection, token: str, key: str, code: str,
                           fields: dict) -> tuple[Actor, dict | None] | None:
    """PostgreSQL: decide on what one statement reads, write with another if
    nothing moved; each statement on its own (no BEGIN, no COMMIT)."""
    with conn.autocommit():
        found = plan_on_snapshot(conn, token, key, code, fields)
        if found is None or found[1] is None:
            return found
        actor, decided = found
        return actor, write_if_unchanged(conn, decided)


@dataclass
class SnapshotScan:
    """A scan decided on a snapshot, to be written by `write_if_unchanged`."""

    actor: Actor
    key: str
    box: object  # the statements.SNAPSHOT row
    planned: PlannedMove


def _record_on_snapshot(conn: DriverConnection, token: str, key: str, code: str,
                        fields: dict) -> tuple[Actor, dict | None] | None:
    """SQLite: decide in a read transaction of `conn`, then write if nothing moved,
    in a transaction shared with the worker's other scans of the moment."""
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
    found = SNAPSHOT[conn.dialect.name].first(
        conn, {"digest": token_digest(token), "code": code, "key": key})
    if found is None:
        return None
    actor = Actor.of_row(found)
    planned = None
    if found.id is not None and found.key_status is None:
        planned = plan_counter_scan(found, actor, key, fields)
    return actor, None if planned is None else SnapshotScan(actor, key, found, planned)


def write_if_unchanged(conn: Connection, scan: SnapshotScan) -> dict | None:
    """Write the planned scan and store its answer; None if the container moved or
    the key was answered since the snapshot (on SQLite the caller rolls back)."""
    if conn.dialect.name == "postgresql":
        return _write_if_unchanged_pg(conn, scan)
    box, planned = scan.box, scan.planned
    move = planned.move
    try:
        move.event_id, move.deposit_id = insert_rows(conn, box, planned.event, planned.entries)
    except IntegrityError:
        # The open ledger entry was closed since the snapshot (its closing entry is
        # unique): the box moved. A fault of our own would fail the general path too.
        return None
    move.event["id"] = move.event_id
    if not UPDATE_IF_UNCHANGED.run(conn, {
            **projection_params(box, planned.projection, move.deposit_id), **_unchanged(box)}):
        return None
    body = move.body
    if not STORE_ANSWER.run(conn, {"key": scan.key, "org_id": scan.actor.org_id,
                                    "body": body, "now": planned.event["recorded_at"]}):
        return None
    return body


def _unchanged(box) -> dict:
    """SQLite's compare-and-set parameters: every column `plan_move` reads of the
    container row (the joined rows, type, holder, ledger entry and batch, are
    fixed by these ids)."""
    return {f"was_{column}": getattr(box, read_as) for column, read_as in COMPARED}


def _write_if_unchanged_pg(conn: Connection, scan: SnapshotScan) -> dict | None:
    box, planned = scan.box, scan.planned
    if len(planned.entries) > 1:
        return None  # a second entry names the first's id: the general path
    move = planned.move
    planned.event["id"] = move.event["id"] = move.event_id = box.next_event_id
    entry = planned.entries[0] if planned.entries else None
    move.deposit_id = box.next_entry_id if entry else None
    try:
        row = WRITE_IF_UNCHANGED_PG.first(conn, {
            **projection_params(box, planned.projection, move.deposit_id), **planned.event,
            "row_version": box.row_version, "entry_id": move.deposit_id,
            "entry_kind": entry and entry["kind"], "entry_org_id": entry and entry["org_id"],
            "entry_amount": entry and entry["amount_cents"],
            "entry_lend_id": entry and entry["lend_entry_id"], "answer_key": scan.key,
            "answer": move.body})
    except IntegrityError:
        return None  # the key was stored since the snapshot: nothing of this is kept
    return move.body if row.moved else None
