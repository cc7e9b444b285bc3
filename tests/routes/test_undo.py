"""Undo: `POST /api/v1/events/<id>/undo` (API.md's contract), and what it leaves in
the log, the ledger and the settlements."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from bouteilles.models import Container, DepositEntry, Event, utcnow
from bouteilles.services import deposits
from bouteilles.services.oversight.replay_check import check_integrity, format_report


@pytest.fixture(autouse=True)
def _the_record_holds(session):
    """After every test here: the log replays to the objects, the ledger to the boxes."""
    yield
    session.rollback()
    report = check_integrity(session)
    assert report.ok, format_report(report)


def _scan(client, headers, code, action, **more):
    answer = client.post("/api/v1/scans", headers=headers, json={
        "code": code, "action": action, "idempotency_key": uuid4().hex, **more})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _undo(client, headers, event_id, key=None, **more):
    return client.post(f"/api/v1/events/{event_id}/undo", headers=headers,
                       json={"idempotency_key": key or uuid4().hex, **more})


@pytest.fixture
def resto(actors, token_for):
    return token_for(actors["restaurant"])


def test_an_undone_lend_gives_the_deposit_back_and_the_box_is_clean_again(
        client, session, actors, resto, make_container):
    code = make_container()
    lend = _scan(client, resto, code, "lend")
    answer = _undo(client, resto, lend["event"]["id"], key="u1")
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["event"]["action"] == "undo" and body["event"]["undoes"] == lend["event"]["id"]
    assert body["event"]["from_state"] == "in_use" and body["event"]["to_state"] == "clean"
    assert body["item"]["state"] == "clean" and body["item"]["deposit_held_cents"] == 0
    assert body["deposit"] == {"kind": "cancelled", "amount_cents": 500,
                               "org": actors["restaurant"].org.code}
    # The same key again: the first answer, nothing written twice.
    again = _undo(client, resto, lend["event"]["id"], key="u1")
    assert again.status_code == 200 and again.get_json() == body
    assert session.scalar(select(func.count()).select_from(Event)
                          .where(Event.action == "undo")) == 1
    # The log kept the lend; the ledger nets to nothing; the box can be lent again.
    assert [row["held_cents"] for row in deposits.deposit_rows(session)] == [0]
    assert deposits.network_balance(session) == (0, 0)
    assert _scan(client, resto, code, "lend")["deposit"]["kind"] == "taken"


def test_an_undone_return_takes_the_refund_back_and_leaves_no_settlement(
        client, session, actors, make_user, token_for, make_container):
    lender, other = actors["restaurant"], make_user("restaurant")
    code = make_container(holder=lender.org)
    _scan(client, token_for(lender), code, "lend")
    other_headers = token_for(other)
    back = _scan(client, other_headers, code, "return")
    assert deposits.settlements(session) == [
        {"from": lender.org.code, "to": other.org.code, "amount_cents": 500}]
    undone = _undo(client, other_headers, back["event"]["id"]).get_json()
    assert undone["item"]["state"] == "in_use" and undone["item"]["holder"] == lender.org.code
    assert undone["item"]["deposit_held_cents"] == 500
    assert undone["deposit"]["kind"] == "reopened"
    session.rollback()
    assert deposits.settlements(session) == []
    assert deposits.network_balance(session) == (500, 500)
    rows = {row["org"]: row for row in deposits.deposit_rows(session)}
    assert rows[other.org.code]["refunded_cents"] == 0 and rows[other.org.code]["held_cents"] == 0
    # The box comes back for real at a third restaurant: it settles with the lender.
    third = make_user("restaurant")
    again = _scan(client, token_for(third), code, "return")
    assert again["deposit"]["kind"] == "refunded"
    session.rollback()
    assert deposits.settlements(session) == [
        {"from": lender.org.code, "to": third.org.code, "amount_cents": 500}]
    assert deposits.network_balance(session) == (0, 0)


def test_an_undone_return_of_a_lost_box_forfeits_it_again(
        client, session, actors, resto, token_for, make_container):
    code = make_container()
    _scan(client, resto, code, "lend")
    coordinator = token_for(actors["coordinator"])
    _scan(client, coordinator, code, "lose")
    back = _scan(client, resto, code, "return")
    assert back["item"]["state"] == "returned"
    undone = _undo(client, resto, back["event"]["id"]).get_json()
    assert undone["item"]["state"] == "lost" and undone["item"]["deposit_held_cents"] == 0
    assert undone["deposit"]["kind"] == "forfeited"
    session.rollback()
    assert deposits.network_balance(session) == (0, 0)
    found = _scan(client, coordinator, code, "find")
    assert found["item"]["state"] == "in_use" and found["item"]["deposit_held_cents"] == 500


def test_a_mistaken_reject_is_reverted_by_the_coordinator_with_a_reason(
        client, session, actors, token_for, make_container):
    site = actors["washing_site"]
    code = make_container(holder=site.org)
    site_headers = token_for(site)
    _scan(client, site_headers, code, "collect")
    reject = _scan(client, site_headers, code, "reject", reason="chipped")
    admin = token_for(actors["coordinator"])
    answer = _undo(client, admin, reject["event"]["id"], reason="ébréchure mal vue")
    assert answer.status_code == 201
    assert answer.get_json()["item"]["state"] == "collected"
    assert answer.get_json()["item"]["reject_reason"] is None
    session.rollback()
    event = session.scalars(select(Event).where(Event.action == "undo")).one()
    assert event.detail == {"reason": "ébréchure mal vue"}
    assert event.org_id == actors["coordinator"].org_id


def test_an_undone_wash_leaves_the_batch(client, session, actors, token_for, make_container):
    site = actors["washing_site"]
    headers = token_for(site)
    code = make_container(holder=site.org)
    _scan(client, headers, code, "collect")
    _scan(client, headers, code, "sort")
    opened = client.post("/api/v1/batches", headers=headers, json={"type": "bocal-500"})
    assert opened.status_code == 201, opened.get_json()
    wash = _scan(client, headers, code, "wash")
    assert wash["item"]["batch"] is not None
    undone = _undo(client, headers, wash["event"]["id"]).get_json()
    assert undone["item"]["state"] == "sorted" and undone["item"]["batch"] is None
    batch = client.get(f"/api/v1/batches/{opened.get_json()['id']}", headers=headers).get_json()
    assert batch["inputs"] == 0


def test_only_the_latest_event_is_undone(client, resto, make_container):
    code = make_container()
    lend = _scan(client, resto, code, "lend")
    _scan(client, resto, code, "return")
    refused = _undo(client, resto, lend["event"]["id"])
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "invalid_transition"
    assert "dernier" in refused.get_json()["error"]["message"]


def test_an_undo_is_not_undone(client, resto, make_container):
    code = make_container()
    lend = _scan(client, resto, code, "lend")
    undo = _undo(client, resto, lend["event"]["id"]).get_json()
    assert _undo(client, resto, undo["event"]["id"]).status_code == 409


def test_another_member_may_not_undo(client, make_user, token_for, resto, make_container):
    code = make_container()
    lend = _scan(client, resto, code, "lend")
    other = token_for(make_user("restaurant"))
    assert _undo(client, other, lend["event"]["id"]).status_code == 403


def test_too_late_for_the_member_not_for_the_admin(
        client, session, actors, resto, token_for, make_container):
    code = make_container()
    lend = _scan(client, resto, code, "lend")
    # Fifteen minutes and a second ago: the log is append-only, so the clock moves.
    client.application.config["UNDO_MINUTES"] = 0
    late = _undo(client, resto, lend["event"]["id"])
    assert late.status_code == 409 and "coordination" in late.get_json()["error"]["message"]
    assert _undo(client, token_for(actors["coordinator"]),
                 lend["event"]["id"]).status_code == 201


def test_a_reader_of_the_coordination_is_not_an_admin(
        client, session, actors, make_user, token_for, resto, make_container):
    from bouteilles.services.members.accounts import create_user

    reader = create_user(session, email="lecteur@coord.test", org=actors["coordinator"].org,
                         password="marnes-tilleul-1774", admin=False)
    session.commit()
    code = make_container()
    lend = _scan(client, resto, code, "lend")
    assert _undo(client, token_for(reader), lend["event"]["id"]).status_code == 403


@pytest.mark.parametrize("event_id", ["0", "999999", "99999999999999999999999"])
def test_an_unknown_event_is_404(client, resto, event_id):
    answer = client.post(f"/api/v1/events/{event_id}/undo", headers=resto,
                         json={"idempotency_key": "k"})
    assert answer.status_code == 404


def test_the_undo_of_a_commission_is_refused(client, session, actors, token_for, make_container):
    code = make_container()
    event_id = session.scalar(select(Event.id).where(Event.code == code))
    session.rollback()
    answer = _undo(client, token_for(actors["coordinator"]), event_id)
    assert answer.status_code == 409 and "écartez" in answer.get_json()["error"]["message"]


def test_a_refused_undo_writes_nothing_and_its_key_may_be_sent_again(
        client, session, resto, make_container):
    code = make_container()
    lend = _scan(client, resto, code, "lend")
    back = _scan(client, resto, code, "return")
    assert _undo(client, resto, lend["event"]["id"], key="same").status_code == 409
    assert _undo(client, resto, back["event"]["id"], key="same").status_code == 201
    session.rollback()
    box = session.scalars(select(Container).where(Container.code == code)).one()
    assert box.state == "in_use"
    kinds = session.scalars(select(DepositEntry.kind).order_by(DepositEntry.id)).all()
    assert kinds == ["taken", "refunded", "reclaimed", "reopened"]
    assert box.lend_entry_id == session.scalar(select(func.max(DepositEntry.id)))
    assert box.lent_at is not None and box.lent_at <= utcnow() + timedelta(seconds=1)


def test_a_scan_s_key_is_not_an_undo_s(client, resto, make_container):
    code = make_container()
    key = uuid4().hex
    lend = client.post("/api/v1/scans", headers=resto, json={
        "code": code, "action": "lend", "idempotency_key": key}).get_json()
    answer = _undo(client, resto, lend["event"]["id"], key=key)
    assert answer.status_code == 201 and answer.get_json()["event"]["action"] == "undo"


def test_a_crate_s_recount_is_undone_with_its_quantity(client, actors, token_for, make_crate):
    site = actors["washing_site"]
    headers = token_for(site)
    crate = make_crate(quantity=100, state="collected", holder=site.org)
    sorted_ = _scan(client, headers, crate, "sort", quantity=96)
    assert sorted_["event"]["anomaly"] == "recount" and sorted_["item"]["quantity"] == 96
    undone = _undo(client, headers, sorted_["event"]["id"]).get_json()
    assert undone["item"]["state"] == "collected" and undone["item"]["quantity"] == 100
    assert undone["event"]["quantity_delta"] == 4 and undone["deposit"] is None
