"""Group commit (bouteilles/db/group_commit.py): the writes gathered while one thread
waits for SQLite's write turn go into one transaction, each on its own."""

from __future__ import annotations

import threading
import time

from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from bouteilles.db.driver import DriverConnection, DriverStatement
from bouteilles.db.group_commit import GroupCommit, for_engine

INSERT = DriverStatement(text("INSERT INTO t (n) VALUES (:n)"))


def insert(conn: DriverConnection, n: int):
    """A write: n < 0 gives up after writing, n == 13 fails after writing."""
    INSERT.run(conn, {"n": abs(n)})
    if n == 13:
        raise ValueError("thirteen")
    return None if n < 0 else f"wrote {n}"


def written(engine) -> list[int]:
    with engine.connect() as conn:
        return [n for (n,) in conn.execute(text("SELECT n FROM t ORDER BY n"))]


def write_all_at_once(engine, group: GroupCommit, items: list[int]) -> tuple[dict, list[str]]:
    """Each item written by a thread of its own, all gathered while the write turn
    is taken by another transaction; (item → result or error, statements run)."""
    outcomes: dict[int, object] = {}
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0])

    def scan(n: int) -> None:
        with DriverConnection(engine) as conn:
            try:
                outcomes[n] = group.write(conn, insert, n)
            except Exception as error:  # noqa: BLE001 (the outcome of that write)
                outcomes[n] = error

    threads = [threading.Thread(target=scan, args=(n,)) for n in items]
    with engine.begin() as holder:  # the turn is taken: the writers gather
        holder.execute(text("SELECT 1"))
        threads[0].start()
        _wait_for(lambda: group._leading)
        for thread in threads[1:]:
            thread.start()
        _wait_for(lambda: len(group._gathered) == len(items))
        event.listen(engine, "before_cursor_execute", count)
    try:
        for thread in threads:
            thread.join(10)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return outcomes, statements


def _wait_for(condition) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "the writers did not gather"
        time.sleep(0.005)


def test_writes_gathered_during_the_turn_share_one_transaction(sqlite_engine):
    group = GroupCommit()
    outcomes, statements = write_all_at_once(sqlite_engine, group, [1, 2, 3, 4])
    assert outcomes == {n: f"wrote {n}" for n in (1, 2, 3, 4)}
    assert written(sqlite_engine) == [1, 2, 3, 4]
    assert statements.count("BEGIN") == 1 and statements.count("INSERT") == 4
    assert not group._leading and not group._gathered  # ready for the next group


def test_a_write_that_gives_up_or_fails_is_undone_alone(sqlite_engine):
    outcomes, _ = write_all_at_once(sqlite_engine, GroupCommit(), [1, -2, 13, 4])
    assert outcomes[1] == "wrote 1" and outcomes[4] == "wrote 4"
    assert outcomes[-2] is None  # gave up: its row is not kept
    assert isinstance(outcomes[13], ValueError)  # raised in its own thread
    assert written(sqlite_engine) == [1, 4]


def test_a_failed_statement_fails_its_write_only(sqlite_engine):
    """A duplicate (UNIQUE) in the middle of a group: an IntegrityError for that
    write, the others committed."""
    with sqlite_engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (2)"))
    outcomes, _ = write_all_at_once(sqlite_engine, GroupCommit(), [1, 2, 3])
    assert outcomes[1] == "wrote 1" and outcomes[3] == "wrote 3"
    assert isinstance(outcomes[2], IntegrityError)
    assert written(sqlite_engine) == [1, 2, 3]


def test_alone_a_write_runs_without_savepoint(sqlite_engine):
    statements: list[str] = []
    event.listen(sqlite_engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement.split()[0]))
    with DriverConnection(sqlite_engine) as conn:
        assert for_engine(sqlite_engine).write(conn, insert, 7) == "wrote 7"
    with DriverConnection(sqlite_engine) as conn:
        assert for_engine(sqlite_engine).write(conn, insert, -8) is None
    assert statements == ["BEGIN", "INSERT", "BEGIN", "INSERT"]  # COMMIT, ROLLBACK: the driver's
    assert written(sqlite_engine) == [7]
    assert for_engine(sqlite_engine) is for_engine(sqlite_engine)


def test_many_threads_many_writes_none_lost(sqlite_engine):
    """Leadership passes from group to group: every write returns, and is there."""
    group = GroupCommit()
    results: list[object] = []

    def writer(base: int) -> None:
        for n in range(base, base + 50):
            with DriverConnection(sqlite_engine) as conn:
                results.append(group.write(conn, insert, n))

    threads = [threading.Thread(target=writer, args=(1000 * k,)) for k in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 400 and None not in results
    assert len(written(sqlite_engine)) == 400
