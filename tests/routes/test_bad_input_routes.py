"""Input any client can send is answered 4xx, never 500: deep or unstorable JSON, months
and days far off, ids beyond 64 bits; and a download failing half-way is an error."""

from __future__ import annotations

import itertools
import re
from datetime import datetime

import pytest

from bouteilles.models import ORG_KINDS
from bouteilles.services.deposits import PARIS
from bouteilles.services.exports import epcis_document as epcis

HUGE_ID = "99999999999999999999"  # above 2**64
FAR_MONTHS = ("9999-12", "0001-01")
FAR_DAYS = ("9999-12-31", "0001-01-01")
DEEP = "[" * 1000 + "]" * 1000
BAD_BODIES = {
    "deep array": DEEP,
    "deep value": '{"code": ' + DEEP + ', "action": "lend", "idempotency_key": "k"}',
    "40 levels": '{"scans": ' + "[" * 40 + "]" * 40 + "}",
    "lone surrogate": '{"code": "\\udc80", "type": "\\udc80", "action": "lend", '
                      '"idempotency_key": "\\udc80", "holder": "\\udc80"}',
    "lone surrogate key": '{"\\ud800": 1, "type": "bocal-500"}',
    "surrogate bytes": b'{"type": "\xed\xb2\x80", "code": "\xed\xb2\x80"}',
}
# The bodies of these are read first: the refusal is the body's, in the API shape.
BODY_FIRST = ("/api/v1/scans", "/api/v1/scans/batch", "/api/v1/containers",
              "/api/v1/crates", "/api/v1/batches")


def _url(rule: str, int_value: str = "1") -> str:
    """A rule with each `<int:…>` set to `int_value` and any other variable to "X"."""
    return re.sub(r"<[^>]+>", "X", re.sub(r"<int:\w+>", int_value, rule))


def _api_posts(app) -> list[str]:
    return sorted({_url(rule.rule) for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/api/") and "POST" in rule.methods})


def _assert_refusal(response, status: int | None = None) -> dict:
    """A 4xx (or exactly `status`) in the API error shape; its error object."""
    text = response.get_data(as_text=True)[:300]
    assert 400 <= response.status_code < 500, (response.status_code, text)
    if status is not None:
        assert response.status_code == status, text
    error = response.get_json()["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "details"}
    return error


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_deep_or_unstorable_json_is_422_on_every_api_post(app, client, actors, token_for,
                                                          body):
    coordinator, restaurant = token_for(actors["coordinator"]), token_for(actors["restaurant"])
    for path in _api_posts(app):
        for headers in (coordinator, restaurant):  # a restaurant's token: the counter's path
            answer = client.post(path, headers=headers, data=body,
                                 content_type="application/json")
            error = _assert_refusal(answer)
            if path in BODY_FIRST:
                assert (answer.status_code, error["code"]) == (422, "validation"), path


def test_json_refusals_say_why(client, actors, token_for):
    headers = token_for(actors["coordinator"])
    deep = client.post("/api/v1/containers", headers=headers, data=BAD_BODIES["deep value"],
                       content_type="application/json")
    assert "imbriqué" in _assert_refusal(deep, 422)["message"]
    lone = client.post("/api/v1/containers", headers=headers,
                       data=BAD_BODIES["lone surrogate"], content_type="application/json")
    assert "UTF-8" in _assert_refusal(lone, 422)["message"]
    english = client.post("/api/v1/containers?lang=en", headers=headers,
                          data=BAD_BODIES["lone surrogate"], content_type="application/json")
    assert "valid UTF-8" in _assert_refusal(english, 422)["message"]


def test_ordinary_unicode_and_nesting_still_pass(client, actors, token_for):
    headers = token_for(actors["coordinator"])
    answer = client.post("/api/v1/containers", headers=headers, content_type="application/json",
                         data='{"type": "bocal-500", "count": 1, "note": "\\ud83c\\udf77 é"}')
    assert answer.status_code == 201, answer.text


def _month_urls(month: str) -> list[str]:
    return [f"/api/v1/impact?month={month}", f"/api/v1/deposits?month={month}",
            *(f"/exports/impact/{month}.{fmt}" for fmt in ("csv", "xlsx", "pdf")),
            f"/exports/epcis/{month}.jsonld"]


@pytest.mark.parametrize("month", FAR_MONTHS)
def test_far_months_are_422_on_the_api_and_exports(client, actors, token_for, month):
    for role in ("coordinator", "restaurant", "washing_site"):
        headers = token_for(actors[role])
        for url in _month_urls(month):
            error = _assert_refusal(client.get(url, headers=headers), 422)
            assert error["code"] == "validation" and month in error["message"], url
            assert "2000-01" in error["message"] and "2099-12" in error["message"]


@pytest.mark.parametrize("month", FAR_MONTHS)
def test_far_months_are_422_on_the_pages(client, actors, login, month):
    login(actors["coordinator"])
    assert client.get(f"/dashboard?month={month}").status_code == 422
    login(actors["restaurant"])
    for url in (f"/dashboard?month={month}", f"/restaurant/settlements?month={month}"):
        page = client.get(url)
        assert page.status_code == 422 and "hors période" in page.text, url


@pytest.mark.parametrize("day", FAR_DAYS)
def test_far_days_are_422_wherever_a_day_is_taken(client, actors, login, day):
    login(actors["coordinator"])
    for url in (f"/admin/audit?from={day}", f"/admin/audit?to={day}",
                f"/admin/anomalies?from={day}", f"/admin/anomalies?to={day}"):
        assert client.get(url).status_code == 422, url
    page = client.post("/impact/factors/new", data={"code": "far", "name": "Loin",
                                                     "valid_from": day})
    assert page.status_code == 422 and "hors période" in page.text
    login(actors["restaurant"])
    page = client.get(f"/restaurant/cash?day={day}")
    assert page.status_code == 422 and "hors période" in page.text
    page = client.post("/loans/new", data={"borrower": actors["event_organiser"].org.code,
                                           "event_name": "Fête", "event_date": day})
    assert page.status_code == 422 and "hors période" in page.text


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_far_scan_times_are_refused(client, actors, token_for, make_container, moment):
    code = make_container()
    for role in ("restaurant", "coordinator"):
        answer = client.post("/api/v1/scans", headers=token_for(actors[role]), json={
            "code": code, "action": "lend", "idempotency_key": f"{role}{moment}",
            "occurred_at": moment})
        _assert_refusal(answer, 422)


def test_the_first_and_last_months_served_are_answered(client, actors, token_for, login):
    headers = token_for(actors["coordinator"])
    for month in ("2000-01", "2099-12"):  # 2000-01's twelve months reach back into 1999
        assert client.get(f"/api/v1/impact?month={month}", headers=headers).status_code == 200
        login(actors["coordinator"])
        assert client.get(f"/dashboard?month={month}").status_code == 200
        login(actors["restaurant"])  # a member's series: its shares of the network's months
        assert client.get(f"/dashboard?month={month}").status_code == 200
        assert client.get(f"/restaurant/settlements?month={month}").status_code == 200
    assert client.get("/restaurant/cash?day=2099-12-31").status_code == 200


def test_ids_beyond_64_bits_are_404_never_500(app, client, actors, login):
    rules = [(rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
             for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert len(rules) >= 10  # loans, batches, requests, users, tokens…
    failures = []
    for role in ("anonymous", *ORG_KINDS):
        if role != "anonymous":
            login(actors[role])
        for rule, methods in rules:
            url = _url(rule, HUGE_ID)
            for method in methods:
                body = {"json": {}} if url.startswith("/api/") else {"data": {}}
                answer = client.open(url, method=method, **(body if method != "GET" else {}))
                if answer.status_code >= 500:
                    failures.append((role, method, url, answer.status_code))
                elif role == "coordinator":  # allowed everywhere: no such object
                    assert answer.status_code == 404, (method, url, answer.status_code)
    assert not failures


def test_an_epcis_export_failing_half_way_is_an_error_not_a_cut_download(
        client, session, actors, token_for, make_container, monkeypatch):
    for _ in range(3):
        make_container()
    session.commit()
    headers, month = token_for(actors["coordinator"]), datetime.now(PARIS).strftime("%Y-%m")
    whole = client.get(f"/exports/epcis/{month}.jsonld", headers=headers)
    assert whole.status_code == 200 and len(whole.get_json()["epcisBody"]["eventList"]) >= 3
    assert whole.content_length == len(whole.data)

    real, calls = epcis._epcis_event, itertools.count()

    def fails_at_the_second(event, uris):
        if next(calls) == 1:
            raise RuntimeError("the database went away")
        return real(event, uris)

    monkeypatch.setattr(epcis, "_epcis_event", fails_at_the_second)
    broken = client.get(f"/exports/epcis/{month}.jsonld", headers=headers)
    assert broken.status_code == 500
    assert broken.get_json()["error"]["code"] == "internal"
    assert "epcisBody" not in broken.text and "attachment" not in broken.headers.get(
        "Content-Disposition", "")
