"""Moves that must not happen by accident, and a broken box at the counter."""

from __future__ import annotations

from uuid import uuid4

import pytest

from bouteilles.services import deposits


def _scan(client, headers, code, action, **more):
    return client.post("/api/v1/scans", headers=headers, json={
        "code": code, "action": action, "idempotency_key": uuid4().hex, **more})


def test_a_box_delivered_to_the_washing_site_is_not_collected_again(
        client, actors, token_for, make_container):
    resto, collector = token_for(actors["restaurant"]), token_for(actors["collector"])
    site = actors["washing_site"]
    code = make_container()
    assert _scan(client, resto, code, "lend").status_code == 201
    assert _scan(client, resto, code, "return").status_code == 201
    assert _scan(client, collector, code, "collect").status_code == 201
    assert _scan(client, collector, code, "deliver", to=site.org.code).status_code == 201
    refused = _scan(client, collector, code, "collect")
    assert refused.status_code == 409
    assert "site de lavage" in refused.get_json()["error"]["message"]
    item = client.get(f"/api/v1/items/{code}", headers=collector).get_json()
    assert item["holder"] == site.org.code and item["state"] == "collected"
    assert "collect" not in item["actions"] and item["suggested"] != "collect"
    # The site itself moves it on.
    assert _scan(client, token_for(site), code, "sort").status_code == 201


def test_a_crate_at_the_washing_site_is_not_collected_again(
        client, actors, token_for, make_crate):
    site = actors["washing_site"]
    crate = make_crate(holder=site.org, state="collected")
    refused = _scan(client, token_for(actors["collector"]), crate, "collect")
    assert refused.status_code == 409


@pytest.mark.parametrize(("setting", "kind", "settles"), [("kept", "forfeited", False),
                                                          ("refunded", "refunded", True)])
def test_a_box_brought_back_broken_is_put_out_of_use(
        client, session, actors, make_user, token_for, make_container, setting, kind, settles):
    client.application.config["BROKEN_BOX_DEPOSIT"] = setting
    lender, other = actors["restaurant"], make_user("restaurant")
    code = make_container(holder=lender.org)
    assert _scan(client, token_for(lender), code, "lend").status_code == 201
    broken = _scan(client, token_for(other), code, "reject", reason="broken")
    assert broken.status_code == 201, broken.get_json()
    body = broken.get_json()
    assert body["item"]["state"] == "rejected" and body["item"]["reject_reason"] == "broken"
    assert body["deposit"]["kind"] == kind
    # Kept: the lender keeps the customer's deposit; refunded: the other restaurant
    # paid it back, and the lender owes it that.
    owed = [{"from": lender.org.code, "to": other.org.code, "amount_cents": 500}]
    assert deposits.settlements(session) == (owed if settles else [])
    assert deposits.network_balance(session) == (0, 0)
