"""POST /api/v1/scans for labelled containers: the Core path.

The answer is built from the rows the path read and wrote, not from ORM
objects: these tests hold it to the same descriptions as GET /api/v1/items,
and hold the path to its few statements.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from bouteilles.db.database import get_session
from bouteilles.models import ApiToken
from bouteilles.services.errors import Contended
from bouteilles.services.members.accounts import revoke_token
from bouteilles.services.movements import container_move, submissions, submit_scan
from bouteilles.services.movements import counter as counter_scans
from bouteilles.services.movements.counter import plan_on_snapshot, write_if_unchanged
from bouteilles.services.oversight.replay_check import check_integrity, format_report
from bouteilles.services.washing.batches import open_batch


def scan(client, headers, code, action, **extra):
    body = {"code": code, "action": action, "idempotency_key": uuid.uuid4().hex, **extra}
    return client.post("/api/v1/scans", headers=headers, json=body)


def assert_answer_matches_the_record(client, headers, answer):
    """The scan's `item` and `event` are what GET /api/v1/items says afterwards (which
    adds the object's history, the actions open to the caller and its type's model)."""
    item = client.get(f"/api/v1/items/{answer['item']['code']}", headers=headers).get_json()
    history = item.pop("history")
    item.pop("actions"), item.pop("suggested"), item.pop("history_hidden"), item.pop("model")
    assert answer["item"] == item
    assert answer["event"] == history[-1]


def test_a_box_life_answers_like_the_item_page(client, session, actors, token_for,
                                               make_container):
    code = make_container("bocal-500")
    resto, collector = token_for(actors["restaurant"]), token_for(actors["collector"])
    site_user = actors["washing_site"]
    site = token_for(site_user)
    open_batch(session, actor=site_user, type_code="bocal-500")
    session.commit()
    steps = [
        (resto, "lend", {}, "taken"),
        (resto, "return", {}, "refunded"),
        (collector, "collect", {}, None),
        (collector, "deliver", {"to": site_user.org.code}, None),
        (site, "sort", {}, None),
        (site, "wash", {}, None),
        (site, "reject", {"reason": "chipped"}, None),
    ]
    for headers, action, extra, deposit in steps:
        response = scan(client, headers, code, action, **extra)
        assert response.status_code == 201, response.get_json()
        answer = response.get_json()
        assert answer["event"]["action"] == action
        assert (answer["deposit"] or {}).get("kind") == deposit
        assert_answer_matches_the_record(client, headers, answer)
    assert answer["item"]["state"] == "rejected" and answer["item"]["batch"] is not None


def test_lost_and_found_moves_the_deposit_like_before(client, actors, token_for,
                                                      make_container):
    code = make_container("bocal-500")
    resto, coop = token_for(actors["restaurant"]), token_for(actors["coordinator"])
    assert scan(client, resto, code, "lend").status_code == 201
    lost = scan(client, coop, code, "lose").get_json()
    assert lost["deposit"]["kind"] == "forfeited" and lost["item"]["deposit_held_cents"] == 0
    back = scan(client, resto, code, "return").get_json()
    assert back["event"]["anomaly"] == "found_on_return"
    assert back["deposit"] == {"kind": "refunded", "amount_cents": 500,
                               "org": actors["restaurant"].org.code}
    assert_answer_matches_the_record(client, resto, back)


def test_a_refusal_quotes_the_record_and_writes_nothing(client, actors, token_for,
                                                       make_container):
    code = make_container("bocal-500")
    resto = token_for(actors["restaurant"])
    scan(client, resto, code, "lend")
    before = client.get(f"/api/v1/items/{code}", headers=resto).get_json()
    refused = scan(client, resto, code, "lend")
    assert refused.status_code == 409
    message = refused.get_json()["error"]["message"]
    assert "chez un client depuis le" in message and actors["restaurant"].org.name in message
    after = client.get(f"/api/v1/items/{code}", headers=resto).get_json()
    assert after["history"] == before["history"]


def test_a_refusal_dates_the_record_in_paris_time(client, actors, token_for, make_container):
    code = make_container("bocal-500")
    resto = token_for(actors["restaurant"])
    lent = scan(client, resto, code, "lend").get_json()["event"]["occurred_at"]
    paris = datetime.fromisoformat(lent).astimezone(ZoneInfo("Europe/Paris"))
    message = scan(client, resto, code, "lend").get_json()["error"]["message"]
    assert f"depuis le {paris:%d/%m/%Y %H:%M}" in message and "UTC" not in message
    english = client.post("/api/v1/scans?lang=en", headers=resto, json={
        "code": code, "action": "lend", "idempotency_key": uuid.uuid4().hex})
    assert f"{paris:%d/%m/%Y, %H:%M}" in english.get_json()["error"]["message"]


def test_a_revoked_token_or_a_disabled_member_cannot_scan(client, session, actors, token_for,
                                                         make_container):
    code = make_container()
    user = actors["restaurant"]
    headers = token_for(user)
    assert scan(client, headers, code, "lend").status_code == 201
    for token in session.query(ApiToken).filter_by(user_id=user.id):
        revoke_token(session, token)
    session.commit()
    assert scan(client, headers, code, "return").status_code == 401
    other = token_for(user)
    user.org.active = False
    session.commit()
    assert scan(client, other, code, "return").status_code == 401


def test_a_lend_costs_a_handful_of_statements(app, client, actors, token_for, make_container):
    """Token, key, read, event, ledger, projection, answer: no more. On
    PostgreSQL, two statements (token + container + key read, then every
    write), and no BEGIN nor COMMIT: each statement is its own transaction.

    Not a timing (that is bench/scans.py); a count, so that an ORM load or a
    lazy relationship sneaking into the hot path fails here.
    """
    code = make_container("bocal-500")
    headers = token_for(actors["restaurant"])
    get_session().commit()
    statements: list[str] = []
    engine = app.extensions["db_engine"]

    autocommit: list[bool] = []

    def count(conn, _cursor, statement, *_args):
        statements.append(statement)
        autocommit.append(getattr(conn.connection.dbapi_connection, "autocommit", None))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert scan(client, headers, code, "lend").status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
    work = [s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    if engine.dialect.name == "postgresql":  # the driver would send BEGIN unseen
        assert autocommit == [True, True]
    # PostgreSQL: data-modifying CTEs (services/movements/statements.py). SQLite: token and
    # container read in a snapshot, then the four writes (services/movements/counter.py).
    expected = 2 if engine.dialect.name == "postgresql" else 5
    assert len(work) == expected, "\n".join(work)
    if engine.dialect.name == "sqlite":  # the write lock is held for the writes alone
        locked = statements[statements.index("BEGIN IMMEDIATE") + 1:]  # COMMIT: the driver's
        assert [s.split()[0] for s in locked] == ["INSERT", "INSERT", "UPDATE", "INSERT"], locked


@pytest.mark.parametrize("action", ["lend", "return"])
def test_the_same_key_twice_answers_the_first_answer(client, actors, token_for, make_container,
                                                     action):
    code = make_container()
    headers = token_for(actors["restaurant"])
    if action == "return":
        scan(client, headers, code, "lend")
    body = {"code": code, "action": action, "idempotency_key": f"same-{action}"}
    first = client.post("/api/v1/scans", headers=headers, json=body)
    again = client.post("/api/v1/scans", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()


def _events_of(code: str) -> list[tuple[str, str]]:
    rows = get_session().execute(
        text("SELECT action, to_state FROM events WHERE code = :c ORDER BY id"), {"c": code})
    return [tuple(row) for row in rows]


def test_a_box_moved_since_the_snapshot_is_not_written(app, client, actors, token_for,
                                                        make_container):
    """A lend decided on a snapshot of the clean box, written after another lend of
    the same box committed: its compare-and-set finds the row changed and it
    writes nothing (the caller rolls back and takes the general path)."""
    code = make_container()
    headers = token_for(actors["restaurant"])
    get_session().commit()
    token = headers["Authorization"].removeprefix("Bearer ")
    engine = app.extensions["db_engine"]
    data = {"code": code, "action": "lend", "idempotency_key": "late"}
    with Session(engine) as reading:
        _actor, decided = plan_on_snapshot(reading.connection(), token,
                                           *submissions._parse(data))
        reading.rollback()
    assert decided is not None and decided.box.state == "clean"
    assert scan(client, headers, code, "lend").status_code == 201  # meanwhile
    with Session(engine) as writing:
        assert write_if_unchanged(writing.connection(), decided) is None
        writing.rollback()
    assert _events_of(code)[1:] == [("lend", "in_use")]
    again = client.post("/api/v1/scans", headers=headers, json=data)  # the general path
    assert again.status_code == 409, again.get_json()


def test_two_returns_decided_on_one_snapshot_write_once(app, client, actors, token_for,
                                                        make_container):
    """Both returns would refund the same deposit; the second meets the ledger's
    unique closing entry and writes nothing (no error: the general path answers)."""
    code = make_container()
    headers = token_for(actors["restaurant"])
    get_session().commit()
    assert scan(client, headers, code, "lend").status_code == 201
    token = headers["Authorization"].removeprefix("Bearer ")
    engine = app.extensions["db_engine"]
    decided = []
    with Session(engine) as reading:
        for key in ("first", "second"):
            data = {"code": code, "action": "return", "idempotency_key": key}
            decided.append(plan_on_snapshot(reading.connection(), token,
                                            *submissions._parse(data))[1])
        reading.rollback()
    with Session(engine) as writing:
        assert write_if_unchanged(writing.connection(), decided[0]) is not None
        writing.commit()
        assert write_if_unchanged(writing.connection(), decided[1]) is None
        writing.rollback()
    assert _events_of(code)[1:] == [("lend", "in_use"), ("return", "returned")]


def test_a_move_that_changes_no_value_still_comes_first_in_the_log(
        app, client, actors, token_for, make_container):
    """A sort decided on a snapshot of the collected box; meanwhile a second collect,
    dated a minute earlier, writes an event and leaves every value of the row as
    it was. PostgreSQL drew the sort's event id at the read, before the collect's:
    written now, the sort would come first in the log and its replay would fail
    (the 32-scanner load test found this). Its compare-and-set is on the row's
    version, so it writes nothing and the general path records it after. SQLite
    numbers the events as they are written, so equal values are enough there."""
    code = make_container()
    resto, collector = token_for(actors["restaurant"]), token_for(actors["collector"])
    site_user = actors["washing_site"]
    assert scan(client, resto, code, "lend").status_code == 201
    assert scan(client, resto, code, "return").status_code == 201
    # Collected into the van (a second collect there changes nothing; at the site
    # only the site moves the box).
    assert scan(client, collector, code, "collect").status_code == 201
    sorter = token_for(site_user)
    get_session().commit()
    engine = app.extensions["db_engine"]
    data = {"code": code, "action": "sort", "idempotency_key": "decided-early"}
    with Session(engine) as reading:
        _actor, decided = plan_on_snapshot(
            reading.connection(), sorter["Authorization"].removeprefix("Bearer "),
            *submissions._parse(data))
        reading.rollback()
    assert decided is not None and decided.box.state == "collected"
    earlier = (counter_scans.utcnow() - timedelta(minutes=1)).isoformat()
    again = scan(client, collector, code, "collect", occurred_at=earlier)
    assert again.status_code == 201 and again.get_json()["item"]["state"] == "collected"
    with Session(engine) as writing:
        written = write_if_unchanged(writing.connection(), decided)
        writing.commit()
    if engine.dialect.name == "postgresql":
        assert written is None
        assert client.post("/api/v1/scans", headers=sorter, json=data).status_code == 201
    assert _events_of(code)[-2:] == [("collect", "collected"), ("sort", "sorted")]
    report = check_integrity(get_session())  # its replay: each event follows the one before
    assert report.ok, format_report(report)


def test_a_box_moved_since_the_snapshot_is_recorded_by_the_general_path(
        app, client, actors, token_for, make_container, monkeypatch):
    """When the compare-and-set fails, the route rolls back and records the scan
    through the general path (read again, decided again): one event, and the
    answer the record gives."""
    code = make_container()
    headers = token_for(actors["restaurant"])
    get_session().commit()
    assert scan(client, headers, code, "lend").status_code == 201
    real = counter_scans.write_if_unchanged

    def stale(conn, decided):
        if conn.dialect.name == "postgresql":  # a version the row no longer has
            decided.box = decided.box._replace(row_version="1")
        else:  # as the snapshot gives it: text
            decided.box = decided.box._replace(raw_last_event_at="2000-01-01 00:00:00.000000")
        assert real(conn, decided) is None
        return None

    monkeypatch.setattr(counter_scans, "write_if_unchanged", stale)
    answer = scan(client, headers, code, "return")
    assert answer.status_code == 201, answer.get_json()
    assert _events_of(code)[1:] == [("lend", "in_use"), ("return", "returned")]
    assert_answer_matches_the_record(client, headers, answer.get_json())


def test_a_key_answered_since_the_snapshot_writes_nothing_twice(
        app, client, actors, token_for, make_container, monkeypatch):
    """The key was answered between the snapshot and the write (here: the write
    stores under a key already taken): nothing of the snapshot's write stays,
    and the general path records the scan once."""
    code, other = make_container(), make_container()
    headers = token_for(actors["restaurant"])
    get_session().commit()
    taken = {"code": other, "action": "lend", "idempotency_key": "taken"}
    assert client.post("/api/v1/scans", headers=headers, json=taken).status_code == 201
    real = counter_scans.write_if_unchanged

    def raced(conn, decided):
        decided.key = "taken"
        return real(conn, decided)

    monkeypatch.setattr(counter_scans, "write_if_unchanged", raced)
    data = {"code": code, "action": "lend", "idempotency_key": "mine"}
    answer = client.post("/api/v1/scans", headers=headers, json=data)
    assert answer.status_code == 201, answer.get_json()
    assert _events_of(code)[1:] == [("lend", "in_use")]
    assert_answer_matches_the_record(client, headers, answer.get_json())
    monkeypatch.setattr(counter_scans, "write_if_unchanged", real)
    again = client.post("/api/v1/scans", headers=headers, json=data)  # stored under its key
    assert (again.status_code, again.get_json()) == (200, answer.get_json())


def _stale(box):
    """`box` as a read made before some other move would have seen it."""
    if "row_version" in box._fields:  # PostgreSQL: a version the row no longer has
        return box._replace(row_version="1")
    return box._replace(raw_last_event_at="2000-01-01 00:00:00.000000")


@pytest.mark.parametrize("conflicts", [1, container_move.MAX_ATTEMPTS])
def test_the_general_path_decides_again_when_the_box_moved(
        client, session, actors, make_container, monkeypatch, conflicts):
    """A move written by the general path finds the container changed since its
    read (another phone scanned it in between): it reads and decides again, up
    to MAX_ATTEMPTS times, then answers 409 having written nothing. Only
    PostgreSQL's general path can meet this: SQLite's holds the write lock from
    before its read."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's general path reads under the write lock")
    code = make_container()
    resto = actors["restaurant"]
    real, attempts = container_move.write_move, []

    def moved_meanwhile(conn, box, planned, **kw):
        attempts.append(box)
        if len(attempts) <= conflicts:
            box = _stale(box)
        return real(conn, box, planned, **kw)

    monkeypatch.setattr(container_move, "write_move", moved_meanwhile)
    data = {"code": code, "action": "lend", "idempotency_key": f"moved-{conflicts}"}
    if conflicts < container_move.MAX_ATTEMPTS:
        status, body = submit_scan(session, resto, data)
        session.commit()
        assert status == 201, body
        assert len(attempts) == conflicts + 1
        assert _events_of(code)[1:] == [("lend", "in_use")]
        return
    with pytest.raises(Contended):
        submit_scan(session, resto, data)
    session.rollback()
    assert len(attempts) == container_move.MAX_ATTEMPTS
    assert _events_of(code)[1:] == []
    monkeypatch.setattr(container_move, "write_move", real)
    status, body = submit_scan(session, resto, data)  # sent again: not remembered
    assert status == 201, body
