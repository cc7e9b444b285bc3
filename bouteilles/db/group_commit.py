"""Group commit: the writes of one process's threads, several to a transaction.

SQLite lets one transaction write at a time, so under load every writer waits
its turn in the queue (`database.QueuedWriterConnection`) and the database
writes one transaction per turn: BEGIN IMMEDIATE, the statements, COMMIT, with
the commit appending every page the transaction touched to the WAL. With 32
scanners at once most threads of a worker are waiting in that queue, each for
a turn of its own.

Here the threads of a process that want to write join a group instead. The
first to arrive leads: it waits for the turn, then writes every write of the
group that has gathered meanwhile, each in a SAVEPOINT of one transaction,
and commits once; the others wait for the outcome of theirs. Then the leader
hands over to the first thread that arrived during the turn, if any. The
turn, the BEGIN and the COMMIT are shared, and so are the pages that every
scan touches (the end of the event table and of its time index, the WAL
frame headers).

Each write is its own: a write that gives up (returns None) or fails is
undone to its savepoint and the others stand. If the commit itself fails,
every write of the group gets the error. A write alone in its group (no load)
runs with no savepoint: the same statements as without a group.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from .driver import DriverConnection

Write = Callable[[DriverConnection, Any], Any]


class _Waiting:
    __slots__ = ("write", "item", "result", "error", "leads", "done")

    def __init__(self, write: Write, item: Any) -> None:
        self.write, self.item = write, item
        self.result: Any = None
        self.error: BaseException | None = None
        self.leads = False
        self.done = threading.Event()  # set when written, or when it is its turn to lead


class GroupCommit:
    """The write groups of one process for one database (see `for_engine`)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._gathered: list[_Waiting] = []
        self._leading = False

    def write(self, conn: DriverConnection, write: Write, item: Any) -> Any:
        """`write(conn, item)` in a transaction shared with other threads' writes;
        what it returned once committed (None: it gave up, and nothing of it was
        kept). `conn` is used if this thread leads the group."""
        me = _Waiting(write, item)
        with self._mutex:
            self._gathered.append(me)
            me.leads = not self._leading
            self._leading = True
        if not me.leads:
            me.done.wait()
        if me.leads:
            self._lead(conn)
        if me.error is not None:
            raise me.error
        return me.result

    def _lead(self, conn: DriverConnection) -> None:
        group: list[_Waiting] = []
        try:
            conn.begin()  # the turn: others gather meanwhile
            with self._mutex:
                group, self._gathered = self._gathered, []
            if len(group) == 1:
                _write_alone(conn, group[0])
            else:
                for waiting in group:
                    _write_in_savepoint(conn, waiting)
                conn.commit()
        except BaseException as error:
            with self._mutex:
                if not group:
                    group, self._gathered = self._gathered, []
            for waiting in group:
                waiting.result, waiting.error = None, error
        finally:
            with self._mutex:
                if self._gathered:  # arrived during the turn: the next leader
                    self._gathered[0].leads = True
                    self._gathered[0].done.set()
                else:
                    self._leading = False
            for waiting in group:
                waiting.leads = False
                waiting.done.set()


def _write_alone(conn: DriverConnection, waiting: _Waiting) -> None:
    waiting.result = waiting.write(conn, waiting.item)
    if waiting.result is None:
        conn.rollback()
    else:
        conn.commit()


def _write_in_savepoint(conn: DriverConnection, waiting: _Waiting) -> None:
    conn.execute("SAVEPOINT group_write")
    try:
        waiting.result = waiting.write(conn, waiting.item)
    except Exception as error:  # this write's own failure: the others stand
        waiting.error = error
    if waiting.result is None:
        conn.execute("ROLLBACK TO group_write")
    conn.execute("RELEASE group_write")


_GROUPS: weakref.WeakKeyDictionary[Engine, GroupCommit] = weakref.WeakKeyDictionary()
_GROUPS_MUTEX = threading.Lock()


def for_engine(engine: Engine) -> GroupCommit:
    """The process's write groups for `engine`'s database."""
    groups = _GROUPS.get(engine)
    if groups is None:
        with _GROUPS_MUTEX:
            groups = _GROUPS.setdefault(engine, GroupCommit())
    return groups
