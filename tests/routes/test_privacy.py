"""What one member may learn of another: item histories, names in refusals, caching."""

from __future__ import annotations

import pytest

from bouteilles.services.errors import BouteillesError
from bouteilles.services.items.lookup import ANOTHER_MEMBER, can_see_history, get_item
from bouteilles.services.pages.winegrower import create_request, fulfil_request


def _item(client, headers, code) -> dict:
    response = client.get(f"/api/v1/items/{code}", headers=headers)
    assert response.status_code == 200, response.text
    return response.get_json()


def _scan(client, headers, code, action, key, **extra):
    return client.post("/api/v1/scans", headers=headers, json={
        "code": code, "action": action, "idempotency_key": key, **extra})


# ---------------------------------------------------------------- item history


def test_history_is_for_the_coordinator_and_the_members_in_it(
        client, actors, make_user, make_container, scan, token_for):
    lender = actors["restaurant"]
    code = make_container(holder=lender.org)
    scan(lender, code, "lend")
    for reader in (lender, actors["coordinator"]):
        item = _item(client, token_for(reader), code)
        assert [e["action"] for e in item["history"]] == ["commission", "lend"]
        assert item["history_hidden"] is False

    for outsider in (make_user("restaurant"), actors["washing_site"], actors["collector"]):
        item = _item(client, token_for(outsider), code)
        assert item["history"] == [] and item["history_hidden"] is True
        assert item["type"] == "bocal-500" and item["state"] == "in_use"


def test_a_member_who_recorded_an_event_reads_the_whole_history(
        client, actors, make_user, make_container, scan, token_for, session):
    lender, other = actors["restaurant"], make_user("restaurant")
    code = make_container(holder=lender.org)
    scan(lender, code, "lend")
    scan(other, code, "return")  # brought back to another restaurant of the network
    scan(actors["collector"], code, "collect")  # the collector holds it now
    history = _item(client, token_for(other), code)["history"]
    assert [e["action"] for e in history] == ["commission", "lend", "return", "collect"]
    assert _item(client, token_for(lender), code)["history_hidden"] is False
    assert _item(client, token_for(make_user("restaurant")), code)["history_hidden"] is True
    box = get_item(session, code)
    assert can_see_history(session, box, other.org) and can_see_history(session, box, lender.org)


def test_crate_history_is_hidden_from_other_members(client, actors, make_crate, token_for):
    code = make_crate(holder=actors["collection_point"].org)
    assert _item(client, token_for(actors["collection_point"]), code)["history"]
    item = _item(client, token_for(actors["winegrower"]), code)
    assert item["history"] == [] and item["history_hidden"] is True
    assert item["kind"] == "crate" and item["state"] == "returned"


def test_the_scanner_and_the_public_page_show_no_history_to_another_member(
        client, actors, make_user, make_container, scan, login):
    lender = actors["restaurant"]
    code = make_container(holder=lender.org)
    scan(lender, code, "lend")
    login(make_user("restaurant"))
    page = client.get(f"/q/{code}")  # a member opening a label: the scanner, on that code
    assert page.status_code == 302 and "/scan" in page.headers["Location"]
    item = client.get(f"/api/v1/items/{code}").get_json()  # what the scanner asks (session)
    assert item["history"] == [] and item["history_hidden"] is True
    assert lender.org.name not in page.text


# ---------------------------------------------------------------- names in refusals


def test_a_refusal_names_another_member_only_to_itself_and_the_coordinator(
        client, actors, make_user, make_container, scan, token_for):
    lender = actors["restaurant"]
    code = make_container(holder=lender.org)
    scan(lender, code, "lend")

    other = _scan(client, token_for(make_user("restaurant")), code, "lend", "p1")
    assert other.status_code == 409
    message = other.get_json()["error"]["message"]
    assert lender.org.name not in message and ANOTHER_MEMBER in message

    for reader, key in ((lender, "p2"), (actors["coordinator"], "p3")):
        answer = _scan(client, token_for(reader), code, "lend", key)
        assert answer.status_code == 409
        assert lender.org.name in answer.get_json()["error"]["message"]


def test_a_crate_refusal_does_not_name_its_holder_to_another_member(
        client, actors, make_crate, token_for):
    point = actors["collection_point"]
    code = make_crate(holder=point.org, state="returned")
    answer = _scan(client, token_for(actors["restaurant"]), code, "return", "c1")
    assert answer.status_code == 409
    message = answer.get_json()["error"]["message"]
    assert point.org.name not in message and ANOTHER_MEMBER in message
    own = _scan(client, token_for(point), code, "return", "c2")
    assert point.org.name in own.get_json()["error"]["message"]


def test_a_washing_site_is_not_told_who_holds_a_crate_it_cannot_deliver(
        session, actors, make_user, make_crate):
    site, other_site = actors["washing_site"], make_user("washing_site")
    request = create_request(session, actor=actors["winegrower"], site_code=site.org.code,
                             type_code="bouteille-75", quantity=10)
    code = make_crate(holder=other_site.org, state="clean", quantity=10)
    with pytest.raises(BouteillesError) as refused:
        fulfil_request(session, request, actor=site, codes=[code])
    assert other_site.org.name not in str(refused.value)
    assert ANOTHER_MEMBER in str(refused.value)


# ---------------------------------------------------------------- caching


def test_member_pages_and_api_answers_are_never_stored(
        client, actors, make_container, scan, login, token_for):
    resto = actors["restaurant"]
    code = make_container(holder=resto.org)
    scan(resto, code, "lend")
    login(resto)
    pages = ["/", "/restaurant/", "/restaurant/counter", "/restaurant/cash",
             "/restaurant/settlements", "/dashboard", "/loans/", "/account/tokens",
             "/api/v1/stock", "/api/v1/deposits", "/api/v1/impact", f"/api/v1/items/{code}",
             "/exports/impact/2026-10.csv", "/api/v1/items/nope", "/no-such-page",
             f"/q/{code}"]
    for path in pages:
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "private, no-store", (
            path, response.status_code, response.headers.get("Cache-Control"))

    headers = token_for(resto)
    answers = [_scan(client, headers, code, "return", "k1"),   # 201
               _scan(client, headers, code, "return", "k1"),   # 200, the replay
               _scan(client, headers, code, "return", "k2"),   # 409
               client.post("/api/v1/scans/batch", headers=headers, json={"scans": []})]
    for response in answers:
        assert response.headers.get("Cache-Control") == "private, no-store", response.status_code


def test_static_files_and_views_keep_their_own_caching(client, make_container):
    static = client.get("/static/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers["Cache-Control"]
    static.close()
    worker = client.get("/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache"
    worker.close()
    public = client.get(f"/q/{make_container()}")  # anonymous: no member data
    assert public.headers["Cache-Control"] == "private, max-age=60"
    assert client.get("/api/v1/health").headers["Cache-Control"] == "private, no-store"
