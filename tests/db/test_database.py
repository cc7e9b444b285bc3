"""SQLite engine settings: the writer queue and the checkpoints out of COMMIT."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from bouteilles.db.database import CHECKPOINT_EVERY


def test_a_writer_waits_for_the_previous_one_then_goes(sqlite_engine):
    order: list[str] = []
    first_in = threading.Event()
    release = threading.Event()

    def first():
        with sqlite_engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            first_in.set()
            release.wait(5)
            order.append("first commits")

    def second():
        first_in.wait(5)
        with sqlite_engine.begin() as conn:
            order.append("second begins")
            conn.execute(text("INSERT INTO t VALUES (2)"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_in.wait(5)
    time.sleep(0.3)
    assert order == []  # the second writer is queued, not failing on a lock
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first commits", "second begins"]
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2


def test_the_wal_is_checkpointed_outside_commit(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        conn.rollback()
    for n in range(3 * CHECKPOINT_EVERY):
        with sqlite_engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
    raw = sqlite_engine.raw_connection()  # outside any transaction, as the app's checkpoints
    try:
        _busy, log, _done = raw.driver_connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        raw.close()
    # Without checkpoints the log would hold a frame per commit at least.
    assert log < 2 * CHECKPOINT_EVERY


def test_a_long_read_does_not_hold_up_writers(tmp_path):
    """get_read_session (exports): a deferred snapshot outside the writer queue."""
    from bouteilles import create_app
    from bouteilles.db.database import get_read_session, upgrade_database

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'read.sqlite3'}",
                      "SECRET_KEY": "x", "LOGIN_LIMITS": False})
    upgrade_database(app)
    engine = app.extensions["db_engine"]
    with app.app_context():
        reader = get_read_session()
        before = reader.execute(text("SELECT count(*) FROM organisations")).scalar()
        wrote = threading.Event()

        def write():
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO organisations (code, name, kind, active, "
                                  "created_at) VALUES ('x-y', 'X', 'restaurant', 1, "
                                  "'2026-11-29 00:00:00.000000')"))
            wrote.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert wrote.wait(5), "the writer waited for the reader"
        writer.join()
        # The reader's snapshot is the one it started with.
        assert reader.execute(text("SELECT count(*) FROM organisations")).scalar() == before
    engine.dispose()
