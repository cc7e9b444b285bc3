"""Crash: kill -9 the gunicorn worker in the middle of closing a 10,000-input batch.

After a restart the batch is either closed with all its moves or still open
with none of them, and the invariants hold; closing it again then works.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time

import pytest
from loadgen import Api
from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from bouteilles.models import Batch, Container, Event, Label, utcnow
from bouteilles.services.items.codes import new_code
from bouteilles.services.items.lookup import get_type
from bouteilles.services.washing.batches import open_batch

N = 10_000


def _writer_busy(db_url: str) -> bool:
    """True while another connection holds the write lock / the batch row lock."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(db_url).database, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'events' AND l.mode = 'RowExclusiveLock' "
                "AND l.pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_kill_9_during_a_10000_box_close(db_url, session, actors, gunicorn, clear_token,
                                         assert_invariants):
    site = actors["washing_site"]
    started = time.monotonic()
    batch = _batch_of_boxes(session, site, N)
    session.commit()
    batch_id = batch.id
    token = clear_token(site)
    print(f"\nsetup of {N} boxes in a batch: {time.monotonic() - started:.1f} s")

    server = gunicorn(workers=1, threads=2)
    api = Api(server.url, token, timeout=120).connect()
    answer: list[object] = []
    closing = threading.Thread(target=lambda: answer.append(_try_close(api, batch_id)))
    closing.start()
    deadline = time.monotonic() + 30
    while not _writer_busy(db_url) and time.monotonic() < deadline:
        time.sleep(0.01)
    # PostgreSQL: the events' insert lock is taken, the moves are being written.
    # SQLite: the write lock is taken at the request's start; the close runs after.
    time.sleep(0.03 if db_url.startswith("sqlite") else 0.02)
    assert not answer, f"the close finished before the kill: {answer}"
    (worker,) = server.worker_pids()
    os.kill(worker, signal.SIGKILL)
    closing.join(timeout=60)
    api.close()
    assert isinstance(answer[0], OSError), answer  # the client saw the connection die

    server.stop()
    restarted = gunicorn(workers=1, threads=2)
    session.rollback()
    batch = session.get(Batch, batch_id, populate_existing=True)
    moved = session.scalar(select(func.count()).where(Event.batch_id == batch_id,
                                                      Event.action == "batch_close"))
    states = dict(session.execute(select(Container.state, func.count()).group_by(
        Container.state)).all())
    status_after_kill = batch.status
    if status_after_kill == "open":
        assert moved == 0 and states == {"washing": N}, (moved, states)
    else:  # closed: every move is there
        assert moved == N and states == {"clean": N}, (moved, states)
    print(f"after kill -9: batch {status_after_kill}, {moved} moves, states {states}")
    assert_invariants()

    api = Api(restarted.url, token, timeout=120)
    if status_after_kill == "open":
        status, body = api.post(f"/api/v1/batches/{batch_id}/close",
                                {"clean": N, "rejected": {}})
        assert status == 200 and body["status"] == "closed", body
    api.close()
    assert session.scalar(select(func.count()).where(Container.state == "clean")) == N
    session.rollback()
    assert_invariants()


def _batch_of_boxes(session, site, n: int) -> Batch:
    """An open batch with `n` labelled boxes in it, written in bulk.

    The same rows the services write (commission, then `wash` from clean, which
    is accepted and flagged `rewash`), in a few statements instead of 20,000
    scans, so the test spends its time on the close and the crash.
    """
    ctype = get_type(session, "bocal-500")
    batch = open_batch(session, actor=site, type_code=ctype.code)
    now = utcnow()
    codes: set[str] = set()
    while len(codes) < n:
        codes.add(new_code())
    session.execute(insert(Label), [{"code": c, "type_id": ctype.id, "attached_at": now}
                                    for c in codes])
    boxes = session.execute(insert(Container).returning(Container.id, Container.code), [
        {"code": c, "type_id": ctype.id, "holder_id": site.org_id, "owner_id": site.org_id,
         "state": "washing", "batch_id": batch.id, "cycles": 0, "deposit_held_cents": 0,
         "created_at": now, "updated_at": now, "last_event_at": now} for c in codes]).all()
    session.execute(update(Label), [{"code": code, "container_id": box_id}
                                    for box_id, code in boxes])
    common = {"type_id": ctype.id, "org_id": site.org_id, "user_id": site.id,
              "holder_id": site.org_id, "quantity": 1, "quantity_delta": 0,
              "occurred_at": now, "recorded_at": now}
    session.execute(insert(Event), [
        {**common, "action": "commission", "code": code, "container_id": box_id,
         "to_state": "clean"} for box_id, code in boxes])
    session.execute(insert(Event), [
        {**common, "action": "wash", "code": code, "container_id": box_id,
         "from_state": "clean", "from_holder_id": site.org_id, "to_state": "washing",
         "anomaly": "rewash", "batch_id": batch.id} for box_id, code in boxes])
    batch.inputs = n
    session.flush()
    return batch


def _try_close(api: Api, batch_id: int) -> object:
    try:
        return api.post(f"/api/v1/batches/{batch_id}/close", {"clean": N, "rejected": {}})
    except OSError as exc:
        return exc
