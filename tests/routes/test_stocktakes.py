"""Stock counts (inventaire): the API's contract, the figures, who may count, and
what the coordination does with the differences."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bouteilles.models import Container, Event, Stocktake, StocktakeLine
from bouteilles.services.items.codes import new_code
from bouteilles.services.movements import commission_containers
from bouteilles.services.stocktakes import resolve_lines
from bouteilles.services.territories import create_territory


@pytest.fixture
def site(make_user, session, actors):
    """A washing site's user, its site holding four clean bottles."""
    user = make_user("washing_site")
    boxes = commission_containers(session, actor=actors["coordinator"], type_code="bouteille-75",
                                  count=4, holder_code=user.org.code)
    session.commit()
    user.codes = [box.code for box in boxes]
    return user


def _count(client, headers, site_code, codes, type_code="bouteille-75"):
    return client.post("/api/v1/stocktakes", headers=headers,
                       json={"site": site_code, "type": type_code, "codes": codes})


def test_a_count_answers_expected_found_missing_and_unexpected(client, session, site,
                                                               token_for, make_container,
                                                               actors):
    elsewhere = make_container("bouteille-75", holder=actors["collector"].org)
    unknown = new_code()
    counted = [site.codes[0], site.codes[1].lower(), f"http://x.test/q/{site.codes[2]}",
               site.codes[0], elsewhere, unknown]
    response = _count(client, token_for(site), site.org.code, counted)
    assert response.status_code == 201, response.text
    body = response.json
    assert {"id", "expected", "found", "missing", "unexpected"} <= body.keys()
    assert (body["expected"], body["found"]) == (4, 3)
    assert body["missing"] == [site.codes[3]]
    assert set(body["unexpected"]) == {elsewhere, unknown}
    assert body["moved"] == [elsewhere]
    moved = session.scalar(select(Container).where(Container.code == elsewhere))
    assert moved.holder_id == site.org_id and moved.state == "clean"
    event = session.scalar(select(Event).where(Event.code == elsewhere).order_by(Event.id.desc()))
    assert (event.action, event.anomaly) == ("deliver", "found_in_count")
    stocktake = session.get(Stocktake, body["id"])
    assert (stocktake.missing, stocktake.unexpected, stocktake.status) == (1, 2, "to_review")


@pytest.mark.parametrize("change, status", [
    ({"site": "nowhere"}, 404), ({"type": "amphore"}, 404), ({"codes": ["ABC"]}, 422),
    ({"codes": ["x"] * 20_001}, 422), ({"codes": "ABC"}, 422), ({"quantity": -1}, 422),
])
def test_bad_input_is_refused_and_nothing_recorded(client, session, site, token_for, change,
                                                   status):
    body = {"site": site.org.code, "type": "bouteille-75", "codes": site.codes, **change}
    response = client.post("/api/v1/stocktakes", headers=token_for(site), json=body)
    assert response.status_code == status, response.text
    assert response.json["error"]["message"]
    assert session.scalar(select(Stocktake.id)) is None


def test_only_the_site_and_its_coordination_count(client, session, site, token_for, make_user,
                                                  make_org):
    other = make_user("washing_site")
    assert _count(client, token_for(other), site.org.code, site.codes).status_code == 403
    coordinator = make_user("coordinator")
    assert _count(client, token_for(coordinator), site.org.code, site.codes).status_code == 201
    territory = create_territory(session, code="ailleurs", name="Ailleurs")
    session.commit()
    away = make_user("coordinator", org=make_org("coordinator", territory_id=territory.id))
    assert _count(client, token_for(away), site.org.code, site.codes).status_code == 403


def test_the_coordination_declares_missing_ones_lost(session, site, actors, client, token_for):
    response = _count(client, token_for(site), site.org.code, site.codes[:2])
    stocktake = session.get(Stocktake, response.json["id"])
    assert resolve_lines(session, stocktake, actor=actors["coordinator"],
                         how="declared_lost") == 2
    session.commit()
    lost = session.scalars(select(Container.state).where(Container.code.in_(site.codes[2:])))
    assert set(lost) == {"lost"}
    lines = session.scalars(select(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id))
    assert {(line.resolved, line.event_id is not None) for line in lines} == {
        ("declared_lost", True)}
    assert stocktake.status == "closed"
    with pytest.raises(Exception, match="coordination"):
        resolve_lines(session, stocktake, actor=site, how="left")


def test_the_pages_count_report_download_and_answer(client, login, session, site, make_user):
    login(site)
    assert client.get("/stocktakes/new").status_code == 200
    refused = client.post("/stocktakes/new", data={"type": "bouteille-75", "codes": "ABC"})
    assert refused.status_code == 422 and "ABC" in refused.text
    response = client.post("/stocktakes/new", data={
        "type": "bouteille-75", "codes": "\n".join(site.codes[:3]), "quantity": "12"})
    assert response.status_code == 302, response.text
    report = client.get(response.location)
    assert site.codes[3] in report.text and "manquant" in report.text
    csv = client.get(response.location + ".csv")
    assert csv.status_code == 200 and site.codes[3] in csv.text
    assert response.location in client.get("/stocktakes/").text
    other = make_user("restaurant")
    login(other)
    assert client.get(response.location).status_code == 403
    coordinator = make_user("coordinator")
    login(coordinator)
    assert site.org.name in client.get("/stocktakes/").text
    answered = client.post(response.location + "/resolve", data={"how": "declared_lost"})
    assert answered.status_code == 302
    assert session.scalar(select(Container.state).where(Container.code == site.codes[3])) == \
        "lost"
