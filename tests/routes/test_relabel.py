"""Relabel: `POST /api/v1/items/<code>/relabel` (API.md), the old code afterwards."""

from __future__ import annotations

from uuid import uuid4

from bouteilles.services.movements import mint_codes


def _scan(client, headers, code, action, **more):
    return client.post("/api/v1/scans", headers=headers, json={
        "code": code, "action": action, "idempotency_key": uuid4().hex, **more})


def test_a_relabelled_box_keeps_its_history_and_the_old_code_names_the_new(
        client, actors, token_for, make_container):
    resto = token_for(actors["restaurant"])
    code = make_container()
    assert _scan(client, resto, code, "lend").status_code == 201
    site = token_for(actors["washing_site"])
    answer = client.post(f"/api/v1/items/{code}/relabel", headers=site, json={})
    assert answer.status_code == 201
    new = answer.get_json()["code"]
    assert answer.get_json() == {"code": new, "replaces": code} and new != code

    old = client.get(f"/api/v1/items/{code}", headers=resto).get_json()
    assert old["code"] == new and old["state"] == "in_use"
    assert [e["action"] for e in old["history"]] == ["commission", "lend", "relabel"]
    refused = _scan(client, resto, code, "return")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "invalid_transition"
    assert new in refused.get_json()["error"]["message"]
    back = _scan(client, resto, new, "return")
    assert back.status_code == 201 and back.get_json()["deposit"]["kind"] == "refunded"
    # The old code cannot be relabelled again; the new one can.
    again = client.post(f"/api/v1/items/{code}/relabel", headers=site, json={})
    assert again.status_code == 409 and new in again.get_json()["error"]["message"]


def test_a_minted_code_is_taken_and_a_used_one_refused(
        client, session, actors, token_for, make_container):
    site = token_for(actors["washing_site"])
    code, other = make_container(), make_container()
    blank = mint_codes(session, 1)[0]
    session.commit()
    used = client.post(f"/api/v1/items/{code}/relabel", headers=site, json={"new_code": other})
    assert used.status_code == 409
    unknown = client.post(f"/api/v1/items/{code}/relabel", headers=site,
                          json={"new_code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 422
    taken = client.post(f"/api/v1/items/{code}/relabel", headers=site,
                        json={"new_code": blank})
    assert taken.status_code == 201 and taken.get_json()["code"] == blank
    item = client.get(f"/api/v1/items/{blank}", headers=site).get_json()
    assert item["type"] == "bocal-500"


def test_only_washing_sites_and_the_coordination_relabel(client, actors, token_for,
                                                          make_container):
    code = make_container()
    for kind, status in (("restaurant", 403), ("collector", 403), ("coordinator", 201)):
        answer = client.post(f"/api/v1/items/{code}/relabel",
                             headers=token_for(actors[kind]), json={})
        assert answer.status_code == status, (kind, answer.get_json())


def test_an_unknown_code_is_404(client, actors, token_for):
    from bouteilles.services.items.codes import new_code

    answer = client.post(f"/api/v1/items/{new_code()}/relabel",
                         headers=token_for(actors["washing_site"]), json={})
    assert answer.status_code == 404


def test_the_old_code_s_public_page_says_it_was_replaced(client, actors, token_for,
                                                         make_container):
    from bouteilles.services.items.codes import format_code

    code = make_container()
    new = client.post(f"/api/v1/items/{code}/relabel",
                      headers=token_for(actors["washing_site"]), json={}).get_json()["code"]
    page = client.get(f"/q/{code}").get_data(as_text=True)
    assert "remplacée" in page and format_code(new) in page
    assert "remplacée" not in client.get(f"/q/{new}").get_data(as_text=True)


def test_a_mistyped_code_names_no_object(client, actors, token_for):
    answer = client.post("/api/v1/items/00/relabel",
                         headers=token_for(actors["washing_site"]), json={})
    assert answer.status_code == 404
