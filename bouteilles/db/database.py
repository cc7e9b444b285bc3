"""Engine and session per application, SQLite tuning, and schema upgrades."""

from __future__ import annotations

import fcntl
import itertools
import os
import sqlite3
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


READ_ONLY = "bouteilles_read_only"  # execution option of get_read_session's engine
CHECKPOINT_EVERY = 50  # commits of one process between two WAL checkpoints
# Reads through a memory map instead of a read() per page missing from SQLite's
# small page cache: +10 % scans/s at 10^6 events. Address space, not
# memory: the pages are the OS file cache, shared by every worker.
MMAP_BYTES = int(os.environ.get("SQLITE_MMAP_BYTES", str(1 << 30)))


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose transactions queue on a kernel file lock.

    Every transaction here takes SQLite's write lock at BEGIN (see `make_engine`).
    When it is taken, SQLite's busy handler polls with growing sleeps (1, 2, 5 …
    up to 100 ms), so under 32 concurrent scanners a writer often slept long
    after the lock was free: that was the p99 of the scan benchmark.
    An exclusive `flock` on `<database>-writer`, taken before BEGIN and let go
    after COMMIT or ROLLBACK, makes writers of every process and thread wait in
    the kernel and wake as soon as the previous one is done. Programs that do
    not take it (the sqlite3 shell, a backup) still meet SQLite's own lock.

    For the same reason the WAL is checkpointed here, after the queue is let go
    (`wal_autocheckpoint` would run it inside COMMIT, every writer waiting).
    """

    held_here = threading.local()  # a thread holding the queue skips it (no self-deadlock)
    commits = itertools.count(1)  # this process's commits, for the checkpoints

    def use_queue(self, path: str) -> None:
        self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._queued = False

    def wait_turn(self) -> None:
        """Wait for the previous writer to finish (before BEGIN IMMEDIATE)."""
        fd = getattr(self, "_queue_fd", None)
        if fd is None or self._queued or getattr(self.held_here, "holding", False):
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._queued = True
        self.held_here.holding = True

    def _leave(self) -> None:
        if getattr(self, "_queued", False):
            self._queued = False
            self.held_here.holding = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave()
        if getattr(self, "_queue_fd", None) is not None \
                and next(self.commits) % CHECKPOINT_EVERY == 0:
            # Out of the queue: a passive checkpoint blocks neither readers nor writers,
            # and the transaction is committed whatever happens to it.
            try:
                self.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # the next one will catch up

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave()

    def close(self) -> None:
        self._leave()
        if getattr(self, "_queue_fd", None) is not None:
            os.close(self._queue_fd)
            self._queue_fd = None
        super().close()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and a writer queue."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={
            "timeout": 30, "check_same_thread": False, "factory": QueuedWriterConnection})
        database = engine.url.database
        queue = f"{database}-writer" if database and database != ":memory:" else None

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # The sqlite3 driver opens transactions lazily; take the write lock at
            # BEGIN so two writers queue on the busy timeout instead of failing.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            cursor.close()
            if queue is not None:
                dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
                dbapi_connection.use_queue(queue)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            read_only = bool(conn.get_execution_options().get(READ_ONLY))
            conn.exec_driver_sql(sqlite_begin(conn.connection.dbapi_connection,
                                              read_only=read_only))

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def sqlite_begin(dbapi_connection: sqlite3.Connection, *, read_only: bool) -> str:
    """The statement that opens one of our SQLite transactions. A writer first
    waits its turn in the queue and takes the write lock at BEGIN; a reader gets
    a WAL snapshot, which blocks no writer."""
    if read_only:
        return "BEGIN"
    if isinstance(dbapi_connection, QueuedWriterConnection):
        dbapi_connection.wait_turn()
    return "BEGIN IMMEDIATE"


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to the app."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    """The current app's engine (for a hot path that runs without a session)."""
    return current_app.extensions["db_engine"]


def get_session() -> Session:
    """Return the session of the current app context (one per request)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def commit_session() -> None:
    """Commit the request's session, if the request opened one."""
    session = g.get("db_session")
    if session is not None:
        session.commit()


def get_read_session() -> Session:
    """A second session of the request for a long read (an export), never a write.

    On SQLite every other transaction takes the writer queue at BEGIN; a month's
    export at 10^7 events reads for seconds, and every scan would wait for it.
    This session's transactions begin deferred, outside the queue: in WAL mode a
    reader sees a fixed snapshot and blocks no one. On PostgreSQL it is an
    ordinary session (readers never block writers there).
    """
    if "db_read_session" not in g:
        engine = current_app.extensions["db_engine"].execution_options(**{READ_ONLY: True})
        g.db_read_session = Session(engine, expire_on_commit=False)
    return g.db_read_session


def _close_session(_exc: BaseException | None) -> None:
    for name in ("db_session", "db_read_session"):
        session = g.pop(name, None)
        if session is not None:
            session.rollback()
            session.close()


def alembic_config(url: str) -> AlembicConfig:
    """Alembic configuration pointing at the project's migrations."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(app: Flask, revision: str = "heads") -> None:
    """Run the migrations up to `revision` on the app's database; on SQLite, then
    gather the query planner's statistics (`ANALYZE`, sampling 1,000 rows an
    index: a second at 10^7 events). SQLite has none until asked, and without
    them it picks the wrong index for the network's monthly counts (124 s against
    1.7 s at 10^7 events, docs/scaling.md); PostgreSQL's autovacuum gathers its own."""
    command.upgrade(alembic_config(app.config["DATABASE_URL"]), revision)
    engine = app.extensions["db_engine"]
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
