"""POST /api/v1/batches/<id>/corrections and the counted input's bound, through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bouteilles.models import utcnow
from bouteilles.services.members.accounts import create_user
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch

BODY = {"clean": 960, "rejected": {"broken": 25, "chipped": 15},
        "reason": "10 ébréchées comptées propres"}


@pytest.fixture
def closed(session, actors):
    """The worked example of IMPACT.md, closed two days ago."""
    site = actors["washing_site"]
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, batch, actor=site, count=1000)
    close_batch(session, batch, actor=site, clean=970, rejected={"broken": 20, "chipped": 10},
                transport=[{"km": 40, "mode": "van"}], closed_at=utcnow() - timedelta(days=2))
    session.commit()
    return batch


def test_a_correction_answers_the_batch_its_impact_and_the_difference(client, closed, actors,
                                                                       token_for):
    headers = token_for(actors["washing_site"])
    answer = client.post(f"/api/v1/batches/{closed.id}/corrections", headers=headers, json=BODY)
    assert answer.status_code == 201, answer.text
    body = answer.get_json()
    assert body["batch"]["clean"] == 960 and body["batch"]["rejected_total"] == 40
    assert body["batch"]["rejected"] == {"broken": 25, "chipped": 15}
    assert body["batch"]["corrections"] == 1 and body["batch"]["status"] == "closed"
    assert body["impact"] == {"co2e_avoided_g": 331_472, "co2e_process_g": 44_848,
                              "waste_avoided_g": 537_600, "to_recycling_g": 22_400,
                              "factor_set": "fr-2026-1"}
    assert body["impact_delta"] == {"co2e_avoided_g": -3_565, "co2e_process_g": -355,
                                    "waste_avoided_g": -5_600, "to_recycling_g": 5_600}
    assert body["correction"]["clean_before"] == 970 and body["correction"]["reason"] == \
        BODY["reason"]
    shown = client.get(f"/api/v1/batches/{closed.id}", headers=headers).get_json()
    assert shown == body["batch"]


@pytest.mark.parametrize(("body", "status", "code"), [
    ({**BODY, "clean": 961}, 422, "validation"),
    ({**BODY, "reason": " "}, 422, "validation"),
    ({"clean": 960, "rejected": 40}, 422, "validation"),  # no reason
    ({**BODY, "rejected": {"melted": 40}}, 422, "validation"),
    ({**BODY, "clean": 970, "rejected": {"broken": 20, "chipped": 10}}, 422, "validation"),
])
def test_refused_corrections(client, closed, actors, token_for, body, status, code):
    answer = client.post(f"/api/v1/batches/{closed.id}/corrections",
                         headers=token_for(actors["washing_site"]), json=body)
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code


def test_a_bare_number_of_rejects_counts_as_other(client, closed, actors, token_for):
    answer = client.post(f"/api/v1/batches/{closed.id}/corrections",
                         headers=token_for(actors["washing_site"]),
                         json={"clean": 960, "rejected": 40, "reason": "recompté"})
    assert answer.status_code == 201
    assert answer.get_json()["batch"]["rejected"] == {"other": 40}


def test_who_may_correct(client, session, actors, token_for, make_user):
    site = actors["washing_site"]
    old = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, old, actor=site, count=100)
    close_batch(session, old, actor=site, clean=100, rejected={},
                closed_at=utcnow() - timedelta(days=8))
    still_open = open_batch(session, actor=site, type_code="bouteille-75")
    reader = create_user(session, email="lecteur@coop.test", org=actors["coordinator"].org,
                         password="marnes-tilleul-1774", admin=False)
    session.commit()
    body = {"clean": 90, "rejected": {"broken": 10}, "reason": "recompté"}
    url = f"/api/v1/batches/{old.id}/corrections"
    too_late = client.post(url, headers=token_for(site), json=body)
    assert too_late.status_code == 403 and "7 jours" in too_late.get_json()["error"]["message"]
    assert client.post(url, headers=token_for(make_user("washing_site")),
                       json=body).status_code == 403
    assert client.post(url, headers=token_for(reader), json=body).status_code == 403
    assert client.post(url, headers=token_for(actors["restaurant"]), json=body).status_code == 403
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, headers=token_for(actors["coordinator"]), json=body).status_code == 201
    answer = client.post(f"/api/v1/batches/{still_open.id}/corrections",
                         headers=token_for(site), json=body)
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "conflict"
    assert client.post("/api/v1/batches/999999/corrections", headers=token_for(site),
                       json=body).status_code == 404


def test_a_counted_input_above_the_limit_is_a_422(client, session, actors, token_for):
    site = actors["washing_site"]
    headers = token_for(site)
    batch = client.post("/api/v1/batches", headers=headers, json={"type": "bouteille-75"})
    url = f"/api/v1/batches/{batch.get_json()['id']}/inputs"
    refused = client.post(url, headers=headers, json={"count": 100_001})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "validation"
    assert "100" in refused.get_json()["error"]["message"]
    assert client.post(url, headers=headers, json={"count": 100_000}).get_json()["inputs"] == \
        100_000
    client.application.config["MAX_BATCH_INPUT"] = 10
    assert client.post(url, headers=headers, json={"count": 11}).status_code == 422
    assert client.post(url, headers=headers, json={"count": 10}).get_json()["inputs"] == 100_010
