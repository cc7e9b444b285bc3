"""Reuse Standard passports through the API: `GET /api/v1/items/<code>/passport` (API.md)
and a month's, `GET /api/v1/passports?month=`; valid against the standard's schemas."""

from __future__ import annotations

import json
from uuid import uuid4

from reuse_standard import errors, full_errors

from bouteilles.models import utcnow
from bouteilles.services.deposits import PARIS
from bouteilles.services.items.codes import new_code


def _scan(client, headers, code, action, **more):
    answer = client.post("/api/v1/scans", headers=headers, json={
        "code": code, "action": action, "idempotency_key": uuid4().hex, **more})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _this_month() -> str:
    return utcnow().astimezone(PARIS).strftime("%Y-%m")


def test_a_passport_is_valid_and_names_its_cycle_and_type(client, actors, token_for,
                                                          make_container):
    resto = token_for(actors["restaurant"])
    code = make_container()
    _scan(client, resto, code, "lend")
    answer = client.get(f"/api/v1/items/{code}/passport", headers=resto)
    assert answer.status_code == 200
    passport = answer.get_json()
    assert full_errors(passport) == []
    assert passport["code"] == code and passport["in_reuse"] is True
    assert [r["action"] for r in passport["passport_history"]] == ["commission", "lend"]
    assert passport["latest_activity"] == passport["passport_history"][-1]["activity"]
    assert passport["latest_activity_location"]["org_id"] == actors["restaurant"].org.code
    asset_type = passport["asset_types"][0]
    assert asset_type["primary_material"] == "glass" and asset_type["sku"] == "bocal-500"
    assert asset_type["asset_type_id"] == passport["asset_type"]
    assert passport["cycles"][0]["cycle_id"] in asset_type["cycle_id"]


def test_a_relabelled_object_keeps_one_passport_and_its_history(client, actors, token_for,
                                                               make_container):
    resto = token_for(actors["restaurant"])
    site = token_for(actors["washing_site"])
    code = make_container()
    _scan(client, resto, code, "lend")
    before = client.get(f"/api/v1/items/{code}/passport", headers=resto).get_json()
    new = client.post(f"/api/v1/items/{code}/relabel", headers=site, json={}).get_json()["code"]
    by_old = client.get(f"/api/v1/items/{code}/passport", headers=resto).get_json()
    by_new = client.get(f"/api/v1/items/{new}/passport", headers=resto).get_json()
    assert full_errors(by_new) == []
    assert by_old["asset_id"] == by_new["asset_id"] == before["asset_id"]
    assert by_new["code"] == by_new["other_ref"] == new
    history = by_new["passport_history"]
    assert [(r["action"], r["code"]) for r in history] == [
        ("commission", code), ("lend", code), ("relabel", new)]
    assert history[:2] == before["passport_history"]
    month = client.get(f"/api/v1/passports?month={_this_month()}",
                       headers=token_for(actors["coordinator"]))
    lines = [json.loads(line) for line in month.get_data(as_text=True).splitlines()]
    assert [p["code"] for p in lines if p["asset_id"] == by_new["asset_id"]] == [new]


def test_an_undone_event_leaves_the_history(client, actors, token_for, make_container):
    resto = token_for(actors["restaurant"])
    code = make_container()
    lend = _scan(client, resto, code, "lend")
    undo = client.post(f"/api/v1/events/{lend['event']['id']}/undo", headers=resto,
                       json={"idempotency_key": uuid4().hex})
    assert undo.status_code == 201
    passport = client.get(f"/api/v1/items/{code}/passport", headers=resto).get_json()
    assert [r["action"] for r in passport["passport_history"]] == ["commission"]
    assert full_errors(passport) == []


def test_a_rejected_object_is_out_of_reuse_with_its_reason(client, actors, token_for,
                                                           make_container):
    resto = token_for(actors["restaurant"])
    code = make_container()
    _scan(client, resto, code, "reject", reason="broken")
    passport = client.get(f"/api/v1/items/{code}/passport", headers=resto).get_json()
    assert passport["in_reuse"] is False and passport["decommission_reason"] == "broken"
    assert full_errors(passport) == []


def test_another_member_reads_what_the_public_may_know(client, actors, token_for, make_org,
                                                       make_user, make_container):
    code = make_container()
    stranger = make_user("restaurant", make_org("restaurant"))
    answer = client.get(f"/api/v1/items/{code}/passport", headers=token_for(stranger))
    assert answer.status_code == 200
    passport = answer.get_json()
    assert passport["history_hidden"] is True and passport["passport_history"] == []
    assert "latest_activity_location" not in passport
    assert full_errors(passport) == []
    coordination = client.get(f"/api/v1/items/{code}/passport",
                              headers=token_for(actors["coordinator"])).get_json()
    assert coordination["history_hidden"] is False and coordination["passport_history"]


def test_refusals(client, actors, token_for, make_container):
    code = make_container()
    assert client.get(f"/api/v1/items/{code}/passport").status_code == 401
    resto = token_for(actors["restaurant"])
    unknown = client.get(f"/api/v1/items/{new_code()}/passport", headers=resto)
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "unknown_code"
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert client.get(f"/api/v1/items/{typo}/passport", headers=resto).status_code in (404, 422)
    assert client.get("/api/v1/passports").status_code == 401
    assert client.get("/api/v1/passports?month=2026-13", headers=resto).status_code == 422
    assert client.get("/api/v1/passports?month=1999-12", headers=resto).status_code == 422
    other = client.get("/api/v1/passports?org=lavage-ailleurs", headers=resto)
    assert other.status_code == 403


def test_a_month_of_passports_is_json_lines_each_valid(client, actors, token_for, make_org,
                                                       make_user, make_container, make_crate):
    resto = token_for(actors["restaurant"])
    box = make_container()
    _scan(client, resto, box, "lend")
    crate = make_crate()
    coordination = client.get(f"/api/v1/passports?month={_this_month()}",
                              headers=token_for(actors["coordinator"]))
    assert coordination.status_code == 200
    assert coordination.mimetype == "application/x-ndjson"
    assert "attachment" in coordination.headers["Content-Disposition"]
    lines = [json.loads(line) for line in coordination.get_data(as_text=True).splitlines()]
    assert {p["code"] for p in lines} == {box, crate}
    for passport in lines:
        assert errors("passport", passport) == []
        assert all(errors("passport_history", r) == [] for r in passport["passport_history"])
    mine = client.get(f"/api/v1/passports?month={_this_month()}", headers=resto)
    assert [json.loads(line)["code"] for line in mine.get_data(as_text=True).splitlines()] \
        == [box]
    stranger = make_user("restaurant", make_org("restaurant"))
    nothing = client.get("/api/v1/passports", headers=token_for(stranger))
    assert nothing.status_code == 200 and nothing.get_data() == b""
    last_year = client.get("/api/v1/passports?month=2001-01",
                           headers=token_for(actors["coordinator"]))
    assert last_year.status_code == 200 and last_year.get_data() == b""
