"""Scans sent with a bearer token that need nothing but the container's row.

The counter's lends and returns are the network's most frequent writes; a
collect without `to`, a fill, a sort, a reject, a loss or a find of a labelled
container take the same way. They move the container like
any other scan (`container_move`: read, `plan_move`, `write_move`), but
without the ORM session, on a connection of the pool driven through the
driver (`driver_sql.DriverConnection`), and with two differences:

- the read is one statement that also checks the bearer token and the
  idempotency key's stored status (`statements.SNAPSHOT`), and the write
  stores the answer under the key (no claim beforehand);
- the transaction around them: on PostgreSQL none (autocommit: each statement
  is its own, so 3 round trips with the pool's ping against 5); on SQLite the
  read is a WAL snapshot outside the write lock, and the write runs under the
  lock in a transaction shared with the worker's other scans of the moment
  (`group_commit`), in a savepoint that undoes it if the container moved.

Whatever cannot be decided from the container's row alone (a crate, an
unknown code, a refusal, a key seen before, a wash, a delivery), and a scan
whose write finds the container moved or the key answered since the read,
goes to the general path (`submissions.submit_scan`), which claims the key
and moves the container through `container_move.move_container`: nothing of
the attempt here is kept, and every refusal reads the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from ...db import group_commit
from ...db.driver import DriverConnection
from ...models import utcnow
from .. import lifecycle
from ..errors import BouteillesError
from ..members.accounts import Actor, token_digest
from .container_move import write_move
from .move_plan import PlannedMove, plan_move, refund_rejected
from .scans import check_scan
from .statements import SNAPSHOT

# Actions that need more than the container's row (a batch to join, a place to
# deliver to) or that make one: the general path. So does any scan carrying `to`
# or `batch`, where `scans.check_scan` also refuses a `to` the action takes none of.
_ELSEWHERE = frozenset({"commission", "wash", "deliver"})


def record_counter_scan(conn: DriverConnection, token: str, key: str, code: str,
                        fields: dict) -> tuple[Actor, dict | None] | None:
    """Record a scan on `conn`: None if the token is not valid, else (its actor,
    the answer if the scan is recorded, or None: the general path must record
    it, and nothing of this attempt is left)."""
    if conn.dialect.name == "postgresql":
        return _record_on_snapshot_pg(conn, token, key, code, fields)
    return _record_on_snapshot(conn, token, key, code, fields)


def plan_counter_scan(box, actor: Actor, key: str, fields: dict) -> PlannedMove | None:
    """What a scan of the container row `box` (as `statements.READ` reads it)
    writes and answers; None if it is not a permitted move that needs nothing
    but the row (the general path then records it, or refuses it and
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
    if box.label_detached_at is not None:
        return None
    rule = lifecycle.decide(action, box.state, reason=fields["reason"],
                            holder_kind=box.holder_kind, own=box.holder_id == actor.org_id)
    if rule.outcome == "refused" or rule.anomaly == "skipped_return":
        return None  # a skipped return may be a counted one: the general path matches it
    return plan_move(box, actor, rule, action=action, occurred_at=occurred_at, now=now,
                     to=None, reason=fields["reason"], idempotency_key=key, joined=None,
                     refund_rejected=refund_rejected())


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
    """Write the decided scan and store its answer; None if the container moved or
    the key was answered since the snapshot (on SQLite the caller rolls back)."""
    written = write_move(conn, scan.box, scan.planned, answer_key=scan.key)
    return scan.planned.move.body if written else None
