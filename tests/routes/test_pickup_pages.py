"""The "bac plein" form on the members' pages, and the requests on the collector's run
and the coordination's dashboard."""

from __future__ import annotations

from bouteilles.models import PickupRequest


def test_a_restaurant_asks_the_collector_sees_it_first_the_member_cancels(
        client, login, actors, session):
    restaurant = actors["restaurant"]
    restaurant.org.address = "3 rue du Commerce, Lons"
    session.commit()
    login(restaurant)
    page = client.get("/restaurant/").text
    assert "Bac plein : demander une collecte" in page
    answer = client.post("/pickups/", data={"note": "deux bacs, sonnez"})
    assert answer.status_code == 302 and answer.location.endswith("/restaurant/")
    page = client.get("/restaurant/").text
    assert "Collecte demandée le" in page and "deux bacs, sonnez" in page
    request = session.query(PickupRequest).one()

    login(actors["collector"])
    run = client.get("/collector/").text
    assert run.index('id="pickups"') < run.index('id="places-title"')
    assert restaurant.org.name in run and "3 rue du Commerce" in run
    assert "deux bacs, sonnez" in run
    login(actors["coordinator"])
    assert "deux bacs, sonnez" in client.get("/admin/").text

    login(restaurant)
    assert client.post(f"/pickups/{request.id}/cancel").status_code == 302
    session.refresh(request)
    assert request.status == "cancelled"
    assert "Bac plein : demander une collecte" in client.get("/restaurant/").text


def test_a_collection_point_asks_from_its_home_page_a_long_note_is_kept(client, login,
                                                                       actors):
    login(actors["collection_point"])
    assert "Bac plein : demander une collecte" in client.get("/").text
    refused = client.post("/pickups/", data={"note": "é" * 501})
    assert refused.status_code == 422 and "é" * 501 in refused.text
    assert client.post("/pickups/", data={"note": ""}).location.endswith("/")
    assert "Collecte demandée le" in client.get("/").text


def test_other_kinds_see_no_form_and_are_refused(client, login, actors):
    login(actors["washing_site"])
    assert "Bac plein" not in client.get("/").text
    assert client.post("/pickups/", data={}).status_code == 403
