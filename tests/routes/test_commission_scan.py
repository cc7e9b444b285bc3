"""A minted label is commissioned by its first scan (action "commission")."""

from __future__ import annotations

from datetime import timedelta

from bouteilles.db.database import get_session
from bouteilles.models import utcnow
from bouteilles.services.items.lookup import get_type
from bouteilles.services.movements import mint_codes


def test_washing_site_commissions_a_minted_code_by_scanning_it(client, session, actors,
                                                                token_for):
    code = mint_codes(session, 1, get_type(session, "bocal-750"))[0]
    site = actors["washing_site"]
    headers = token_for(site)
    at = (utcnow() - timedelta(hours=2)).replace(microsecond=0)
    body = {"code": code, "action": "commission", "idempotency_key": "c1",
            "occurred_at": at.isoformat()}
    first = client.post("/api/v1/scans", headers=headers, json=body)
    assert first.status_code == 201, first.get_json()
    answer = first.get_json()
    assert answer["event"]["action"] == "commission" and answer["deposit"] is None
    assert answer["event"]["occurred_at"] == at.isoformat()
    assert answer["item"]["state"] == "clean" and answer["item"]["type"] == "bocal-750"
    assert answer["item"]["holder"] == site.org.code
    again = client.post("/api/v1/scans", headers=headers, json=body)
    assert again.status_code == 200 and again.get_json() == answer
    twice = client.post("/api/v1/scans", headers=headers, json={**body, "idempotency_key": "c2"})
    assert twice.status_code == 409  # already in service
    item = client.get(f"/api/v1/items/{code}", headers=headers).get_json()
    assert [e["action"] for e in item["history"]] == ["commission"]


def test_coordinator_may_commission_a_restaurant_may_not(client, session, actors, token_for):
    codes = mint_codes(session, 2, get_type(session, "bocal-500"))
    resto = token_for(actors["restaurant"])
    coord = token_for(actors["coordinator"])
    refused = client.post("/api/v1/scans", headers=resto, json={
        "code": codes[0], "action": "commission", "idempotency_key": "r1"})
    assert refused.status_code == 403
    ok = client.post("/api/v1/scans", headers=coord, json={
        "code": codes[1], "action": "commission", "idempotency_key": "k1"})
    assert ok.status_code == 201


def test_commissioning_an_unknown_code_is_404(client, session, actors, token_for):
    from bouteilles.services.items.codes import new_code

    headers = token_for(actors["washing_site"])
    response = client.post("/api/v1/scans", headers=headers, json={
        "code": new_code(), "action": "commission", "idempotency_key": "u1"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_code"
    get_session().rollback()
