"""Bulk loading of the log: chunks of rows written as they are, in a thread.

The synthetic network (`demo/synthetic.py`) plays the life cycle itself and
hands the rows here: millions of events cannot take one round trip each. The
columns below are the log's (with the `territory_id` partition key each writer
fills, models/territory.py); what is written must be what the moves of this
package would have written (the synthetic tests check every invariant).
"""

from __future__ import annotations

import queue
import threading

from sqlalchemy import Engine


class BulkLoadError(RuntimeError):
    """A chunk could not be written (the cause is chained)."""


EVENT_COLUMNS = ("id", "action", "code", "container_id", "crate_id", "type_id", "org_id",
                 "user_id", "from_holder_id", "holder_id", "from_state", "to_state",
                 "quantity", "quantity_delta", "reason", "anomaly", "batch_id",
                 "occurred_at", "recorded_at", "territory_id")
CONTAINER_COLUMNS = ("id", "code", "state", "reject_reason", "created_at", "updated_at",
                     "last_event_at", "type_id", "holder_id", "owner_id", "cycles", "batch_id",
                     "deposit_held_cents", "lend_entry_id", "lent_at", "territory_id")
CRATE_COLUMNS = ("id", "code", "state", "reject_reason", "created_at", "updated_at",
                 "last_event_at", "type_id", "holder_id", "owner_id", "quantity", "batch_id",
                 "territory_id")
LABEL_COLUMNS = ("code", "type_id", "container_id", "crate_id", "attached_at", "territory_id")
DEPOSIT_COLUMNS = ("id", "kind", "org_id", "container_id", "event_id", "amount_cents",
                   "lend_entry_id", "occurred_at", "recorded_at", "territory_id")
BATCH_COLUMNS = ("id", "code", "type_id", "site_id", "status", "inputs", "counted_inputs",
                 "clean", "rejected", "opened_at", "opened_by_id", "territory_id")
# Insert order within a chunk (foreign keys).
TABLE_ORDER = ("batches", "containers", "crates", "labels", "events", "deposit_entries")
COLUMNS = {"events": EVENT_COLUMNS, "containers": CONTAINER_COLUMNS, "crates": CRATE_COLUMNS,
           "labels": LABEL_COLUMNS, "deposit_entries": DEPOSIT_COLUMNS,
           "batches": BATCH_COLUMNS}


class BulkWriter:
    """Inserts chunks of rows in a background thread (bounded queue: flat memory);
    SQLite: executemany, PostgreSQL: COPY."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.queue: queue.Queue = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def put(self, chunk: dict[str, list[tuple]]) -> None:
        if self.error:
            raise BulkLoadError("bulk insert failed") from self.error
        self.queue.put(chunk)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise BulkLoadError("bulk insert failed") from self.error

    def _run(self) -> None:
        raw = self.engine.raw_connection()
        if not self.postgres:
            cursor = raw.cursor()
            cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB of page cache for the load
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.close()
        try:
            while (chunk := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self._write(raw, chunk)
                    except BaseException as exc:  # reported by put()/close()
                        self.error = exc
                        try:
                            raw.rollback() if self.postgres else raw.cursor().execute("ROLLBACK")
                        except Exception:  # noqa: BLE001 - no transaction left to end
                            pass
        finally:
            raw.close()

    def _write(self, raw, chunk: dict[str, list[tuple]]) -> None:
        cursor = raw.cursor()
        if not self.postgres:
            cursor.execute("BEGIN IMMEDIATE")
        for table in TABLE_ORDER:
            rows = chunk.get(table)
            if not rows:
                continue
            cols = COLUMNS[table]
            if self.postgres:
                with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    copy.write("".join(
                        "\t".join(r"\N" if v is None else str(v) for v in row) + "\n"
                        for row in rows))
            else:
                marks = ", ".join("?" * len(cols))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
        if self.postgres:
            raw.commit()
        else:
            cursor.execute("COMMIT")
        cursor.close()
