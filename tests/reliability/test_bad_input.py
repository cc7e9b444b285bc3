"""Malformed, oversized, mistyped and forged input: refused clearly, nothing recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bouteilles.models import Event
from bouteilles.services.items.codes import ALPHABET, check_symbol, new_code
from bouteilles.services.washing.batches import open_batch


@pytest.fixture
def site(session, actors, token_for):
    return token_for(actors["washing_site"])


def _events(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Event))


def _forged() -> str:
    """A code with a correct check character that the network never minted."""
    body = "".join(ALPHABET[(i * 7) % 32] for i in range(8))
    return body + check_symbol(body)


@pytest.mark.parametrize("code", [_forged(), new_code()])
def test_forged_codes_are_unknown_not_invalid(client, session, site, code):
    before = _events(session)
    item = client.get(f"/api/v1/items/{code}", headers=site)
    assert item.status_code == 404 and item.get_json()["error"]["code"] == "unknown_code"
    assert code in item.get_json()["error"]["message"]
    scan = client.post("/api/v1/scans", headers=site, json={
        "code": code, "action": "sort", "idempotency_key": "forged"})
    assert scan.status_code == 404 and scan.get_json()["error"]["code"] == "unknown_code"
    assert _events(session) == before


def test_a_forged_code_in_batch_inputs_records_nothing(client, session, actors, site,
                                                      make_container):
    real = make_container(holder=actors["washing_site"].org)
    batch = open_batch(session, actor=actors["washing_site"], type_code="bocal-500")
    session.commit()
    before = _events(session)
    answer = client.post(f"/api/v1/batches/{batch.id}/inputs", headers=site,
                         json={"codes": [real, _forged()]})
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "unknown_code"
    assert _events(session) == before  # the real one was not washed either: all or nothing


@pytest.mark.parametrize("method, path, body", [
    ("post", "/api/v1/batches/99999999999999999999999999/close", {"clean": 1}),
    ("get", "/api/v1/batches/99999999999999999999999999", None),
    ("post", "/api/v1/scans", {"code": new_code(), "action": "wash", "idempotency_key": "k1",
                               "batch": "99999999999999999999999999"}),
    ("post", "/api/v1/scans", {"code": new_code(), "action": "wash", "idempotency_key": "k2",
                               "batch": "²"}),
    ("post", "/api/v1/containers", {"type": "bocal-500", "count": "²"}),
    ("post", "/api/v1/crates", {"type": "bocal-500", "quantity": "٣"}),
    ("post", "/api/v1/scans", {"code": "A" * 200, "action": "lend", "idempotency_key": "k3"}),
    ("post", "/api/v1/scans", {"code": ["x"], "action": "lend", "idempotency_key": "k4"}),
    ("post", "/api/v1/scans", {"code": new_code(), "action": "lend", "idempotency_key": 7}),
    ("post", "/api/v1/scans", {"code": new_code(), "action": "lend",
                               "idempotency_key": "nul\x00key"}),
    ("post", "/api/v1/containers", {"type": "bocal\x00500"}),
    ("get", "/api/v1/stock?type=bocal%00500", None),
    ("get", "/api/v1/deposits?org=x%00y", None),
    ("post", "/api/v1/scans/batch", {"scans": "everything"}),
    ("post", "/api/v1/scans/batch", {"scans": [None, 3, "x", []]}),
    ("post", "/api/v1/scans", {"code": "\udc80", "action": "lend", "idempotency_key": "k5"}),
    ("post", "/api/v1/containers", {"type": "bocal-500", "holder": "resto-\ud800"}),
    ("post", "/api/v1/scans/batch", {"scans": [{"code": new_code(), "action": "lend",
                                                "idempotency_key": "\udfff"}]}),
    ("get", "/api/v1/impact?month=9999-12", None),
    ("get", "/api/v1/deposits?month=0001-01", None),
    ("get", "/exports/epcis/9999-12.jsonld", None),
    ("post", "/api/v1/batches/99999999999999999999/inputs", {"count": 1}),
])
def test_odd_input_is_a_clear_4xx_never_a_500(client, session, site, method, path, body):
    before = _events(session)
    response = getattr(client, method)(path, headers=site, json=body) if body is not None \
        else getattr(client, method)(path, headers=site)
    assert _events(session) == before
    if path.endswith("/batch") and response.status_code == 200:  # each scan refused on its own
        assert {r["status"] for r in response.get_json()["results"]} == {422}
        return
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    assert {"code", "message"} <= set(response.get_json()["error"]) <= {
        "code", "message", "details"}


def test_malformed_json_and_wrong_content_type(client, site):
    broken = client.post("/api/v1/scans", headers=site, data=b'{"code": ',
                         content_type="application/json")
    assert broken.status_code == 422 and broken.get_json()["error"]["code"] == "validation"
    form = client.post("/api/v1/scans", headers=site, data={"code": "x"})
    assert form.status_code == 422


def test_json_nested_too_deep_is_422(client, site):
    in_a_scan = '{"scans": [' + '{"a": ' * 100 + "1" + "}" * 100 + "]}"
    for body in ("[" * 1000 + "]" * 1000, in_a_scan):
        deep = client.post("/api/v1/scans/batch", headers=site, data=body,
                           content_type="application/json")
        assert deep.status_code == 422 and deep.get_json()["error"]["code"] == "validation"


def test_oversized_bodies_are_413_and_long_queues_422(client, site):
    big = client.post("/api/v1/scans/batch", headers=site,
                      data=b'{"scans": [' + b'{"code": "x"},' * 100_000 + b"{}]}",
                      content_type="application/json")
    assert big.status_code == 413 and big.get_json()["error"]["code"] == "too_large"
    many = client.post("/api/v1/scans/batch", headers=site, json={"scans": [
        {"code": new_code(), "action": "lend", "idempotency_key": f"m{i}"}
        for i in range(1001)]})
    assert many.status_code == 422


def test_a_mistyped_code_is_refused_not_taken_for_another(client, session, actors, site,
                                                         make_container):
    code = make_container(holder=actors["washing_site"].org)
    session.commit()
    for i in range(8):  # every single-symbol typo of the code
        typo = code[:i] + ALPHABET[(ALPHABET.index(code[i]) + 1) % 32] + code[i + 1:]
        answer = client.get(f"/api/v1/items/{typo}", headers=site)
        assert answer.status_code == 422, typo
        assert answer.get_json()["error"]["code"] == "validation"
