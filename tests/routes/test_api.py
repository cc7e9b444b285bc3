"""The JSON API contract of API.md, through the test client."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bouteilles.services.items.codes import new_code
from bouteilles.services.movements import submissions


@pytest.fixture
def resto(actors, token_for):
    return token_for(actors["restaurant"])


def test_no_auth_is_401_in_the_error_shape(client):
    response = client.get("/api/v1/stock")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_bad_token_is_401(client):
    response = client.get("/api/v1/stock", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_commission_lend_return_through_the_api(client, actors, token_for):
    site = token_for(actors["washing_site"])
    resto_user = actors["restaurant"]
    headers = token_for(resto_user)
    created = client.post("/api/v1/containers", headers=site, json={
        "type": "bocal-500", "count": 3, "holder": resto_user.org.code})
    assert created.status_code == 201
    codes = created.get_json()["codes"]
    assert len(codes) == 3 and created.get_json()["crate"] is None

    item = client.get(f"/api/v1/items/{codes[0]}", headers=headers).get_json()
    assert item["state"] == "clean" and item["suggested"] == "lend"
    assert item["kind"] == "container" and item["history"][0]["action"] == "commission"

    lend = client.post("/api/v1/scans", headers=headers, json={
        "code": codes[0], "action": "lend", "idempotency_key": "a1",
        "occurred_at": "2026-11-23T10:00:00+01:00"})
    assert lend.status_code == 201
    body = lend.get_json()
    assert body["event"]["action"] == "lend" and body["event"]["anomaly"] is None
    assert body["event"]["occurred_at"].startswith("2026-11-23T09:00:00")
    assert body["item"]["state"] == "in_use" and "history" not in body["item"]
    assert body["deposit"] == {"kind": "taken", "amount_cents": 500,
                               "org": resto_user.org.code}
    again = client.post("/api/v1/scans", headers=headers, json={
        "code": codes[0], "action": "lend", "idempotency_key": "a1"})
    assert again.status_code == 200 and again.get_json() == body

    refused = client.post("/api/v1/scans", headers=headers, json={
        "code": codes[0], "action": "lend", "idempotency_key": "a2"})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "invalid_transition"
    assert "client" in refused.get_json()["error"]["message"]

    deposits = client.get("/api/v1/deposits", headers=headers).get_json()
    assert deposits["rows"] == [{"org": resto_user.org.code, "taken_cents": 500,
                                 "refunded_cents": 0, "forfeited_cents": 0, "held_cents": 500}]
    stock = client.get("/api/v1/stock", headers=headers).get_json()["rows"]
    assert {(r["state"], r["count"]) for r in stock} == {("clean", 2), ("in_use", 1)}


@pytest.mark.parametrize("count", [None, "absent"])
def test_commission_count_defaults_to_one(client, actors, token_for, count):
    body = {"type": "bocal-500"} if count == "absent" else {"type": "bocal-500", "count": count}
    created = client.post("/api/v1/containers", headers=token_for(actors["washing_site"]),
                          json=body)
    assert created.status_code == 201 and len(created.get_json()["codes"]) == 1


def test_scan_batch_each_on_its_own(client, actors, token_for, make_container):
    headers = token_for(actors["restaurant"])
    code = make_container()
    from bouteilles.db.database import get_session

    get_session().commit()
    scans = [
        {"code": code, "action": "lend", "idempotency_key": "b1"},
        {"code": code, "action": "lend", "idempotency_key": "b2"},
        {"code": "nonsense", "action": "lend", "idempotency_key": "b3"},
        {"code": code, "action": "return", "idempotency_key": "b4"},
    ]
    results = client.post("/api/v1/scans/batch", headers=headers,
                          json={"scans": scans}).get_json()["results"]
    assert [r["status"] for r in results] == [201, 409, 422, 201]
    replay = client.post("/api/v1/scans/batch", headers=headers,
                         json={"scans": scans}).get_json()["results"]
    assert [r["status"] for r in replay] == [200, 200, 422, 200]
    assert replay[0]["body"] == results[0]["body"]


def send_scans(client, headers, scans) -> list[dict]:
    response = client.post("/api/v1/scans/batch", headers=headers, json={"scans": scans})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_a_key_refused_in_a_batch_sinks_only_its_own_scan(client, actors, token_for, make_user,
                                                           make_container):
    """A phone's queue where one key already served another organisation: that scan
    is refused (409), the others are recorded, and a replay records nothing twice."""
    user, other = actors["restaurant"], make_user("restaurant")
    codes = [make_container() for _ in range(3)]
    taken = client.post("/api/v1/scans", headers=token_for(other), json={
        "code": make_container(holder=other.org), "action": "lend", "idempotency_key": "k2"})
    assert taken.status_code == 201
    headers = token_for(user)
    scans = [{"code": code, "action": "lend", "idempotency_key": key}
             for code, key in zip(codes, ("k1", "k2", "k3"), strict=True)]
    results = send_scans(client, headers, scans)
    assert [(r["idempotency_key"], r["status"]) for r in results] == [
        ("k1", 201), ("k2", 409), ("k3", 201)]
    assert results[1]["body"]["error"]["code"] == "conflict"
    assert "autre organisation" in results[1]["body"]["error"]["message"]

    def states():
        items = [client.get(f"/api/v1/items/{code}", headers=headers).get_json()
                 for code in codes]
        return [(item["state"], len(item["history"])) for item in items]

    assert states() == [("in_use", 2), ("clean", 1), ("in_use", 2)]
    replay = send_scans(client, headers, scans)
    assert [r["status"] for r in replay] == [200, 409, 200]
    assert [replay[0]["body"], replay[2]["body"]] == [results[0]["body"], results[2]["body"]]
    assert states() == [("in_use", 2), ("clean", 1), ("in_use", 2)]
    held = client.get("/api/v1/deposits", headers=headers).get_json()["rows"]
    assert [row["taken_cents"] for row in held] == [1000]


def test_bad_input_in_a_batch_stays_with_its_scan(client, actors, token_for, make_user,
                                                  make_container):
    code = make_container()
    headers = token_for(actors["restaurant"])
    results = send_scans(client, headers, [
        "not a scan",
        {"code": code, "action": "lend"},
        {"code": code, "action": "lend", "idempotency_key": "v3",
         "to": make_user("restaurant").org.code},
        {"code": code, "action": "lend", "idempotency_key": "v4"},
    ])
    assert [(r["idempotency_key"], r["status"]) for r in results] == [
        (None, 422), (None, 422), ("v3", 422), ("v4", 201)]
    assert all(r["body"]["error"]["code"] == "validation" for r in results[:3])


def test_a_database_fault_in_a_batch_undoes_that_scan_only(client, actors, token_for,
                                                           make_container, monkeypatch):
    """A scan that breaks after writing (here: a statement the database refuses) is
    undone to its savepoint, answered 500 (the phone keeps it queued), and the
    others are kept; its key is free, so the next upload records it."""
    codes = [make_container() for _ in range(3)]
    headers = token_for(actors["restaurant"])
    record = submissions.scan_for_api

    def breaks_on_the_second(session, actor, key, fields):
        answer = record(session, actor, key, fields)
        if fields["code"] == codes[1]:
            session.execute(text("SELECT * FROM no_such_table"))
        return answer

    monkeypatch.setattr(submissions, "scan_for_api", breaks_on_the_second)
    scans = [{"code": code, "action": "lend", "idempotency_key": f"f{i}"}
             for i, code in enumerate(codes)]
    results = send_scans(client, headers, scans)
    assert [r["status"] for r in results] == [201, 500, 201]
    assert results[1]["body"]["error"]["code"] == "internal"
    states = [client.get(f"/api/v1/items/{code}", headers=headers).get_json()["state"]
              for code in codes]
    assert states == ["in_use", "clean", "in_use"]
    monkeypatch.undo()
    assert [r["status"] for r in send_scans(client, headers, scans)] == [200, 201, 200]


def post_one_scan(client, path, headers, scan) -> tuple[int, dict]:
    """POST one scan alone or as a batch of one: (status, body)."""
    if path == "batch":
        result = send_scans(client, headers, [scan])[0]
        return result["status"], result["body"]
    response = client.post("/api/v1/scans", headers=headers, json=scan)
    return response.status_code, response.get_json()


@pytest.mark.parametrize("path", ["token", "session", "batch"])
@pytest.mark.parametrize("action", ["lend", "return"])
def test_to_is_refused_outside_deliver_and_collect(client, actors, token_for, login, make_user,
                                                   make_container, path, action):
    """A restaurant cannot lend (or take back) its box "to" another member: that
    would write into the other's stock. Bad input (422), so the key stays free.
    "token" is the counter's hot path, "session" the general one."""
    user, code, other = actors["restaurant"], make_container(), make_user("restaurant").org
    reads = token_for(user)
    if path == "session":
        login(user)
    headers = {} if path == "session" else reads
    scan = {"code": code, "action": action, "idempotency_key": "t1"}
    status, body = post_one_scan(client, path, headers, {**scan, "to": other.code})
    assert status == 422 and body["error"]["code"] == "validation"
    assert "« to »" in body["error"]["message"] and "« deliver »" in body["error"]["message"]
    item = client.get(f"/api/v1/items/{code}", headers=reads).get_json()
    assert (item["state"], item["holder"], len(item["history"])) == ("clean", user.org.code, 1)
    status, body = post_one_scan(client, path, headers, scan)
    assert status == 201 and body["item"]["holder"] == user.org.code


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"code": "ABCD", "action": "lend", "idempotency_key": "x"}, 422, "validation"),
    ({"action": "lend", "idempotency_key": "x"}, 422, "validation"),
    ({"code": "X", "action": "lend"}, 422, "validation"),
    ({"code": new_code(), "action": "lend", "idempotency_key": "x"}, 404, "unknown_code"),
    ({"code": new_code(), "action": "dance", "idempotency_key": "y"}, 422, "validation"),
    ({"code": new_code(), "action": "lend", "idempotency_key": "z", "occurred_at": "hier"},
     422, "validation"),
    ({"code": new_code(), "action": "lend", "idempotency_key": "w", "quantity": "many"},
     422, "validation"),
    ({"code": 12, "action": ["x"], "idempotency_key": {}}, 422, "validation"),
])
def test_bad_scans_get_clear_errors(client, resto, payload, status, code):
    response = client.post("/api/v1/scans", headers=resto, json=payload)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_mistyped_code_is_refused_not_misread(client, resto, make_container):
    code = make_container()
    from bouteilles.db.database import get_session

    get_session().commit()
    typo = code[:3] + ("X" if code[3] != "X" else "Y") + code[4:]
    response = client.get(f"/api/v1/items/{typo}", headers=resto)
    assert response.status_code == 422
    assert client.get(f"/api/v1/items/{code.lower()}", headers=resto).status_code == 200


def test_not_json_and_too_large(client, resto):
    response = client.post("/api/v1/scans", headers=resto, data="code=1")
    assert response.status_code == 422
    response = client.post("/api/v1/scans", headers={**resto, "Content-Type": "application/json"},
                           data="{broken")
    assert response.status_code == 422
    big = client.post("/api/v1/scans/batch", headers={**resto,
                      "Content-Type": "application/json"}, data="[" + "1," * 2_000_000 + "1]")
    assert big.status_code == 413
    assert big.get_json()["error"]["code"] == "too_large"


def test_members_see_only_their_own_stock(client, actors, token_for, make_org):
    other = make_org("restaurant")
    headers = token_for(actors["restaurant"])
    response = client.get(f"/api/v1/stock?holder={other.code}", headers=headers)
    assert response.status_code == 403
    coordinator = token_for(actors["coordinator"])
    assert client.get(f"/api/v1/stock?holder={other.code}", headers=coordinator).status_code == 200


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_worked_example_batch_through_the_api(client, actors, token_for, make_crate):
    """IMPACT.md's worked example, to the gram, through the batch endpoints."""
    site = actors["washing_site"]
    headers = token_for(site)
    opened = client.post("/api/v1/batches", headers=headers, json={"type": "bouteille-75"})
    assert opened.status_code == 201 and opened.get_json()["status"] == "open"
    batch_id = opened.get_json()["id"]
    inputs = client.post(f"/api/v1/batches/{batch_id}/inputs", headers=headers,
                         json={"count": 1000})
    assert inputs.get_json()["inputs"] == 1000
    unbalanced = client.post(f"/api/v1/batches/{batch_id}/close", headers=headers,
                             json={"clean": 970, "rejected": {"broken": 20}})
    assert unbalanced.status_code == 422
    closed = client.post(f"/api/v1/batches/{batch_id}/close", headers=headers, json={
        "clean": 970, "rejected": {"broken": 20, "chipped": 10},
        "transport": [{"km": 40, "mode": "van"}]})
    assert closed.status_code == 200
    body = closed.get_json()
    assert body["status"] == "closed" and body["inputs"] == 1000 and body["clean"] == 970
    assert body["impact"] == {"co2e_avoided_g": 335037, "co2e_process_g": 45203,
                              "waste_avoided_g": 543200, "to_recycling_g": 16800,
                              "factor_set": "fr-2026-1"}
    again = client.post(f"/api/v1/batches/{batch_id}/close", headers=headers,
                        json={"clean": 970, "rejected": {"broken": 30}})
    assert again.status_code == 409


def test_malformed_input_lists_every_faulty_field_at_once(client, resto):
    response = client.post("/api/v1/scans", headers=resto, json={
        "code": 12, "action": "dance", "quantity": -1, "occurred_at": "2026-11-23T10:00"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation"
    faults = {fault["field"]: fault["message"] for fault in error["details"]}
    assert set(faults) == {"code", "action", "idempotency_key", "quantity", "occurred_at"}
    assert "« dance »" in faults["action"] and "lend" in faults["action"]
    assert "fuseau" in faults["occurred_at"]
    assert error["message"].startswith("5 champs à corriger")


def test_refusals_of_input_are_in_the_requests_language(client, resto):
    french = client.post("/api/v1/scans", headers=resto, json={"action": "lend",
                                                                 "idempotency_key": "k"})
    english = client.post("/api/v1/scans?lang=en", headers=resto, json={
        "action": "lend", "idempotency_key": "k"})
    assert french.get_json()["error"]["message"] == "Le champ « code » est obligatoire."
    message = english.get_json()["error"]["message"]
    assert "code" in message and message != french.get_json()["error"]["message"]
    assert english.get_json()["error"]["details"][0]["field"] == "code"


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/containers", {"type": "bocal-500", "count": "2"}),
    ("/api/v1/containers", {"type": "bocal-500", "count": True}),
    ("/api/v1/containers", {"type": "   "}),
    ("/api/v1/crates", {"type": "bocal-500", "quantity": 2.5}),
    ("/api/v1/crates", {"type": "bocal-500", "quantity": 2, "state": "lost"}),
    ("/api/v1/scans/batch", {"scans": {}}),
    ("/api/v1/batches", {"site": "lavage"}),
])
def test_json_types_are_strict(client, actors, token_for, path, body):
    """A number is a number, not a text; a text is not blank: as the document says."""
    response = client.post(path, headers=token_for(actors["washing_site"]), json=body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"]


@pytest.mark.parametrize("query", ["state=dirty", "state=clean&state=lost", "type=x%00y",
                                   "holder=" + "x" * 65])
def test_stock_filters_are_checked(client, resto, query):
    response = client.get(f"/api/v1/stock?{query}", headers=resto)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] in {"state", "type", "holder"}


def test_batch_inputs_need_codes_or_a_count(client, actors, token_for):
    headers = token_for(actors["washing_site"])
    batch = client.post("/api/v1/batches", headers=headers, json={"type": "bouteille-75"})
    for body in ({}, {"codes": [], "count": 0}):
        refused = client.post(f"/api/v1/batches/{batch.get_json()['id']}/inputs",
                              headers=headers, json=body)
        assert refused.status_code == 422
        assert "« codes »" in refused.get_json()["error"]["message"]


def test_an_undeclared_method_is_405_with_allow(client, resto):
    response = client.delete("/api/v1/scans", headers=resto)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"].split(", ")
    assert response.get_json()["error"]["message"]


def test_ids_beyond_the_id_columns_name_nothing(client, actors, token_for, make_container):
    """Ids are INTEGER columns (int4 on PostgreSQL): a larger number is no row, not a 500."""
    headers = token_for(actors["washing_site"])
    for batch_id in (2**31 - 1, 2**31, 2**63 - 1):
        assert client.get(f"/api/v1/batches/{batch_id}", headers=headers).status_code == 404
    wash = client.post("/api/v1/scans", headers=headers, json={
        "code": make_container(holder=actors["washing_site"].org), "action": "wash",
        "idempotency_key": "w1", "batch": str(2**31)})
    assert wash.status_code in (404, 409), wash.get_json()
