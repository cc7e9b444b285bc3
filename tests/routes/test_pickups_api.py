"""The pickup requests' API: asked by restaurants and collection points, read by
collectors and the coordination, closed by a collection there (a bearer token's
scan takes the counter's path; a session's, the general one)."""

from __future__ import annotations

import pytest

from bouteilles.models import PickupRequest


def test_ask_read_and_close_by_a_scan(client, actors, token_for, make_container, scan,
                                      session):
    restaurant, collector = actors["restaurant"], actors["collector"]
    asking, reading = token_for(restaurant), token_for(collector)
    made = client.post("/api/v1/pickups", headers=asking, json={"note": "bac plein"})
    assert made.status_code == 201
    body = made.json
    assert body["status"] == "open" and body["org"] == restaurant.org.code
    assert body["note"] == "bac plein" and body["requested_at"]
    again = client.post("/api/v1/pickups", headers=asking)  # no body at all
    assert again.status_code == 200 and again.json["id"] == body["id"]
    assert again.json["note"] == "bac plein"

    rows = client.get("/api/v1/pickups", headers=reading).json["rows"]
    assert [(r["id"], r["status"], r["org_name"]) for r in rows] == [
        (body["id"], "open", restaurant.org.name)]
    assert rows[0]["closed_at"] is None

    code = make_container(holder=restaurant.org)
    scan(restaurant, code, "lend")
    scan(restaurant, code, "return")
    collected = client.post("/api/v1/scans", headers=reading, json={
        "code": code, "action": "collect", "idempotency_key": "pickup-1"})
    assert collected.status_code == 201
    row = client.get("/api/v1/pickups", headers=reading).json["rows"][0]
    assert (row["status"], row["closed_by"]) == ("closed", collector.org.code)
    assert row["closed_at"]
    stored = session.get(PickupRequest, body["id"])
    session.refresh(stored)
    assert stored.closed_by_event_id == collected.json["event"]["id"]


@pytest.mark.parametrize("kind", ["collector", "washing_site", "winegrower"])
def test_other_kinds_may_not_ask(client, actors, token_for, kind):
    answer = client.post("/api/v1/pickups", headers=token_for(actors[kind]), json={})
    assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize("kind", ["restaurant", "collection_point", "washing_site"])
def test_only_collectors_and_the_coordination_read(client, actors, token_for, kind):
    assert client.get("/api/v1/pickups", headers=token_for(actors[kind])).status_code == 403
    assert client.get("/api/v1/pickups",
                      headers=token_for(actors["coordinator"])).status_code == 200


@pytest.mark.parametrize("raw, content_type", [
    ('{"note": 12}', "application/json"), ("[1", "application/json"),
    ('"texte"', "application/json"), (f'{{"note": "{"x" * 501}"}}', "application/json"),
    ("note=x", "application/x-www-form-urlencoded")])
def test_bad_bodies_are_422(client, actors, token_for, raw, content_type):
    answer = client.post("/api/v1/pickups", headers=token_for(actors["restaurant"]),
                         data=raw, content_type=content_type)
    assert answer.status_code == 422 and answer.json["error"]["message"]


def test_cancel_is_the_member_s(client, actors, token_for, make_user):
    mine = token_for(actors["collection_point"])
    made = client.post("/api/v1/pickups", headers=mine, json={}).json
    other = token_for(make_user("collection_point"))
    assert client.post(f"/api/v1/pickups/{made['id']}/cancel", headers=other).status_code == 403
    done = client.post(f"/api/v1/pickups/{made['id']}/cancel", headers=mine)
    assert done.status_code == 200 and done.json["status"] == "cancelled"
    assert client.post(f"/api/v1/pickups/{made['id']}/cancel", headers=mine).status_code == 409
    assert client.post("/api/v1/pickups/999999/cancel", headers=mine).status_code == 404
