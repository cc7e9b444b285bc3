"""POST /api/v1/scans for labelled containers: the Core path (issue 7).

The answer is built from the rows the path read and wrote, not from ORM
objects: these tests hold it to the same descriptions as GET /api/v1/items,
and hold the path to its few statements.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event

from bouteilles.database import get_session
from bouteilles.models import ApiToken
from bouteilles.services.accounts import revoke_token
from bouteilles.services.batches import open_batch


def scan(client, headers, code, action, **extra):
    body = {"code": code, "action": action, "idempotency_key": uuid.uuid4().hex, **extra}
    return client.post("/api/v1/scans", headers=headers, json=body)


def assert_answer_matches_the_record(client, headers, answer):
    """The scan's `item` and `event` are what GET /api/v1/items says afterwards."""
    item = client.get(f"/api/v1/items/{answer['item']['code']}", headers=headers).get_json()
    history = item.pop("history")
    item.pop("actions"), item.pop("suggested")
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
    PostgreSQL, two statements: token + key + locked read, then every write.

    Not a timing (that is bench/scans.py); a count, so that an ORM load or a
    lazy relationship sneaking into the hot path fails here.
    """
    code = make_container("bocal-500")
    headers = token_for(actors["restaurant"])
    get_session().commit()
    statements: list[str] = []
    engine = app.extensions["db_engine"]

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert scan(client, headers, code, "lend").status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
    work = [s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    # PostgreSQL: data-modifying CTEs (services/submissions.py); SQLite has no
    # round trips to save, and no such CTEs.
    expected = 2 if engine.dialect.name == "postgresql" else 7
    assert len(work) == expected, "\n".join(work)


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
