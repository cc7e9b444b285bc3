"""Races against a real gunicorn: simultaneous requests on the same thing, one winner.

SQLite serializes writers (BEGIN IMMEDIATE); PostgreSQL locks the item row
(SELECT … FOR UPDATE in services/items.get_item) and the batch row.
"""

from __future__ import annotations

from collections import Counter

import pytest
from loadgen import Api, GunicornServer, fire_at_once
from sqlalchemy import func, select

from bouteilles.models import DepositEntry, Event
from bouteilles.services.washing.batches import add_inputs, open_batch

N = 20


@pytest.fixture(scope="module")
def db_url(databases):
    """One database for the module: the tests use distinct boxes, one server serves them all."""
    url = databases.new()
    yield url
    databases.drop(url)


@pytest.fixture(scope="module")
def server(db_url):
    with GunicornServer(db_url, workers=4, threads=6) as running:
        yield running


def _fire(server, token: str | list[str], requests: list[tuple[str, dict]]
          ) -> list[tuple[int, dict]]:
    """Send the requests at once, each on its own connection (tokens taken in turn)."""
    tokens = token if isinstance(token, list) else [token]
    clients = [Api(server.url, tokens[i % len(tokens)]).connect() for i in range(len(requests))]
    try:
        results = fire_at_once(len(requests), lambda i: clients[i].post(*requests[i]))
    finally:
        for client in clients:
            client.close()
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def test_twenty_lends_of_one_box_one_succeeds(server, session, actors, make_container,
                                              clear_token, assert_invariants):
    code = make_container()
    token = clear_token(actors["restaurant"])
    results = _fire(server, token, [
        ("/api/v1/scans", {"code": code, "action": "lend", "idempotency_key": f"lend-{i}"})
        for i in range(N)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: N - 1}, statuses
    refusals = {body["error"]["code"] for status, body in results if status == 409}
    assert refusals == {"invalid_transition"}
    assert session.scalar(select(func.count()).where(Event.code == code,
                                                     Event.action == "lend")) == 1
    assert session.scalar(select(func.count()).where(DepositEntry.kind == "taken")) == 1
    assert_invariants()


def test_twenty_closes_of_one_batch_one_close(server, session, actors, make_container, scan,
                                              clear_token, assert_invariants):
    site = actors["washing_site"]
    codes = [make_container(holder=site.org) for _ in range(5)]
    batch = open_batch(session, actor=site, type_code="bocal-500")
    add_inputs(session, batch, actor=site, codes=codes, count=10)
    token = clear_token(site)
    results = _fire(server, token, [
        (f"/api/v1/batches/{batch.id}/close", {"clean": 14, "rejected": {"broken": 1}})
        for _ in range(N)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: N - 1}, statuses
    assert session.scalar(select(func.count()).where(
        Event.batch_id == batch.id, Event.action == "batch_close",
        Event.container_id.is_not(None))) == 5
    assert session.scalar(select(func.count()).where(
        Event.batch_id == batch.id, Event.action == "commission")) == 1  # one output crate
    assert_invariants()


def test_two_restaurants_take_back_one_box_one_refund(server, session, actors, make_user,
                                                      make_container, scan, clear_token,
                                                      assert_invariants):
    lender, other = actors["restaurant"], make_user("restaurant")
    code = make_container(holder=lender.org)
    scan(lender, code, "lend")
    tokens = [clear_token(lender), clear_token(other)]
    results = _fire(server, tokens, [
        ("/api/v1/scans", {"code": code, "action": "return", "idempotency_key": f"back-{i}"})
        for i in range(N)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: N - 1}, statuses
    assert session.scalar(select(func.count()).where(DepositEntry.kind == "refunded")) == 1
    assert_invariants()


def test_one_idempotency_key_twenty_times_one_event(server, session, actors, make_container,
                                                    clear_token, assert_invariants):
    code = make_container()
    token = clear_token(actors["restaurant"])
    results = _fire(server, token, [
        ("/api/v1/scans", {"code": code, "action": "lend", "idempotency_key": "same-key"})
        for _ in range(N)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 200: N - 1}, statuses
    assert len({body["event"]["id"] for _, body in results}) == 1
    assert session.scalar(select(func.count()).where(Event.idempotency_key == "same-key")) == 1
    assert_invariants()
