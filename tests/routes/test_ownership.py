"""The owner shown (item page, public page, API), the stock by owner, and transfers
through the API and the coordination's forms."""

from __future__ import annotations

import uuid

import pytest

from bouteilles.services.movements import transfer_ownership


def test_the_owner_is_shown_and_transferred_by_the_api(client, session, actors, token_for,
                                                      make_container, login):
    coordinator, winegrower = actors["coordinator"], actors["winegrower"].org
    code = make_container("bouteille-75", holder=winegrower)
    admin = token_for(coordinator)
    item = client.get(f"/api/v1/items/{code}", headers=admin).get_json()
    assert item["owner"] == coordinator.org.code
    body = {"to": winegrower.code, "idempotency_key": uuid.uuid4().hex}
    answer = client.post(f"/api/v1/items/{code}/transfer", headers=admin, json=body)
    assert answer.status_code == 201, answer.get_json()
    moved = answer.get_json()
    assert moved["event"]["action"] == "transfer" and moved["item"]["owner"] == winegrower.code
    assert moved["item"]["state"] == "clean" and moved["item"]["holder"] == winegrower.code
    again = client.post(f"/api/v1/items/{code}/transfer", headers=admin, json=body)
    assert again.status_code == 200 and again.get_json() == moved
    history = client.get(f"/api/v1/items/{code}", headers=admin).get_json()["history"]
    assert [e["action"] for e in history] == ["commission", "transfer"]
    # The public page says the pool's name, not a member's.
    assert "Appartient à un membre du réseau" in client.get(f"/q/{code}").text
    login(coordinator)
    page = client.get(f"/admin/items/{code}")
    assert winegrower.name in page.text and "Transférer la propriété" in page.text


@pytest.mark.parametrize("kind", ["restaurant", "winegrower", "reader"])
def test_members_and_readers_may_not_transfer(client, session, actors, make_user, token_for,
                                              make_container, kind):
    code = make_container()
    user = make_user("coordinator") if kind == "reader" else actors[kind]
    if kind == "reader":
        user.is_admin = False
        session.commit()
    answer = client.post(f"/api/v1/items/{code}/transfer", headers=token_for(user),
                         json={"to": actors["winegrower"].org.code})
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"


def test_bad_transfers_are_refused_clearly(client, actors, token_for, make_container):
    code = make_container()
    admin = token_for(actors["coordinator"])
    unknown = client.post(f"/api/v1/items/{code}/transfer", headers=admin,
                          json={"to": "personne"})
    assert unknown.status_code == 404
    same = client.post(f"/api/v1/items/{code}/transfer", headers=admin,
                       json={"to": actors["coordinator"].org.code})
    assert same.status_code == 409
    assert client.post(f"/api/v1/items/{code}/transfer", headers=admin,
                       json={}).status_code == 422


def test_stock_by_owner_and_the_list_form(client, session, actors, make_container, login):
    coordinator, winegrower = actors["coordinator"], actors["winegrower"].org
    codes = [make_container("bouteille-75", holder=winegrower) for _ in range(3)]
    transfer_ownership(session, coordinator, codes[:1], winegrower.code)
    session.commit()
    login(coordinator)
    page = client.get(f"/admin/owners?owner={winegrower.code}")
    assert page.status_code == 200 and winegrower.name in page.text
    refused = client.post("/admin/owners/transfer",
                          data={"to": winegrower.code, "codes": "\n".join(codes)})
    assert refused.status_code == 422  # the first one is the winegrower's already
    done = client.post("/admin/owners/transfer",
                       data={"to": winegrower.code, "codes": "\n".join(codes[1:])})
    assert done.status_code == 302
    page = client.get("/admin/owners")
    assert f"<strong>{winegrower.name}</strong></a> : 3" in page.text
    form = client.post(f"/admin/items/{codes[0]}/transfer",
                       data={"to": coordinator.org.code})
    assert form.status_code == 302
    login(actors["winegrower"])
    assert "propriétaire de 2 bouteilles" in client.get("/winegrower/").text
