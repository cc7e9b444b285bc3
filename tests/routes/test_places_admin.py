"""The coordinates on an organisation's form (typed, or found from the address by a
local stand-in for the national address service) and the loops page, scoped by
territory; the batch close form's proposed collection leg."""

from __future__ import annotations

import html
import json
import re

import pytest
from fake_http import FakeServer
from geo_world import build_world

from bouteilles.db.database import get_session
from bouteilles.models import Batch, Organisation
from bouteilles.services.territories import create_territory
from bouteilles.services.washing.batches import add_inputs, open_batch

PASSWORD = "marnes-tilleul-1774"
BAN = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "geometry": {"type": "Point", "coordinates": [5.554654, 46.674521]},
    "properties": {"label": "2 Rue du Commerce 39000 Lons-le-Saunier", "score": 0.93}}]}


@pytest.fixture
def coordinator(client, actors):
    user = actors["coordinator"]
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return user


@pytest.fixture
def world(make_org, make_user, make_crate, make_container, scan):
    return build_world(make_org, make_user, make_crate, make_container, scan)


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def value_of(page: str, field: str) -> str:
    return html.unescape(re.search(rf'id="{field}"[^>]*value="([^"]*)"', page).group(1))


# ------------------------------------------------------------------ coordinates


def test_coordinates_typed_with_a_comma_are_saved(client, coordinator, make_org, session):
    org = make_org("restaurant", code="resto-place")
    response = client.post("/admin/orgs/resto-place", data={
        "name": "Resto", "latitude": "46,6747", "longitude": " 5,5547 "})
    assert response.status_code == 302, response.text
    session.refresh(org)
    assert (org.latitude, org.longitude) == (46.6747, 5.5547)
    page = client.get("/admin/orgs/resto-place").text
    assert value_of(page, "latitude") == "46.6747"
    # Both emptied: the place is no longer known.
    client.post("/admin/orgs/resto-place", data={"name": "Resto"})
    session.refresh(org)
    assert org.latitude is None and org.longitude is None


def test_a_new_member_with_its_coordinates(client, coordinator, session):
    response = client.post("/admin/orgs/new", data={
        "code": "cave-neuve", "name": "Cave neuve", "kind": "collection_point",
        "latitude": "47.0920", "longitude": "5.4898"})
    assert response.status_code == 302, response.text
    org = session.query(Organisation).filter_by(code="cave-neuve").one()
    assert (org.latitude, org.longitude) == (47.092, 5.4898)


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"latitude": "91", "longitude": "5"}, "latitude", "de -90 à 90"),
    ({"latitude": "46", "longitude": "-181"}, "longitude", "de -180 à 180"),
    ({"latitude": "quarante-six", "longitude": "5"}, "latitude", "n'en est pas un"),
    ({"latitude": "46,5"}, "longitude", "la latitude et la longitude"),
    ({"longitude": "5,5"}, "latitude", "la latitude et la longitude"),
    ({"latitude": "NaN", "longitude": "5"}, "latitude", "n'en est pas un"),
])
def test_refused_coordinates_say_why_and_keep_what_was_typed(client, coordinator, make_org,
                                                             session, data, field, words):
    org = make_org("restaurant", code="resto-refus", latitude=1.0, longitude=2.0)
    response = client.post("/admin/orgs/resto-refus", data={
        "name": "Nom changé", "address": "3 rue X", **data})
    assert response.status_code == 422
    assert words in html.unescape(re.search(rf'id="{field}-error">([^<]*)',
                                            response.text).group(1))
    assert "Nom changé" in response.text and "3 rue X" in response.text
    for name, typed in data.items():
        assert value_of(response.text, name) == typed
    session.refresh(org)
    assert (org.name, org.latitude, org.longitude) == ("Resto-Refus", 1.0, 2.0)


def test_no_address_search_button_unless_configured(client, coordinator, make_org):
    make_org("restaurant", code="resto-sans")
    page = client.get("/admin/orgs/resto-sans").text
    assert 'name="geocode"' not in page
    # Asked anyway: a clear refusal, nothing lost.
    response = client.post("/admin/orgs/resto-sans", data={
        "name": "Resto", "address": "2 rue du Commerce", "geocode": "1"})
    assert response.status_code == 422 and "pas configurée" in response.text


@pytest.fixture
def geocoding(make_app, actors):
    """A client of an app whose address service is a local server (its answer: `BAN`,
    or what the test sets in `answer`), logged in as a coordinator."""
    answer = {"status": 200, "body": json.dumps(BAN).encode(), "delay": 0}
    with FakeServer(lambda path: (answer["status"], answer["body"], answer["delay"])) as server:
        app = make_app(GEOCODER_URL=f"{server.url}/search/", GEO_TIMEOUT_S=0.5)
        client = app.test_client()
        user = actors["coordinator"]
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        yield client, answer, server


def test_the_address_found_fills_the_coordinates_and_saves_nothing(geocoding, make_org,
                                                                  session):
    client, _answer, server = geocoding
    org = make_org("restaurant", code="resto-ban")
    page = client.get("/admin/orgs/resto-ban").text
    assert 'name="geocode"' in page and "Trouver depuis l'adresse" in html.unescape(page)
    response = client.post("/admin/orgs/resto-ban", data={
        "name": "Nom tapé", "address": "2 rue du Commerce, Lons", "geocode": "1"})
    assert response.status_code == 200
    assert value_of(response.text, "latitude") == "46.674521"
    assert value_of(response.text, "longitude") == "5.554654"
    assert "2 Rue du Commerce 39000 Lons-le-Saunier" in response.text
    assert "Nom tapé" in response.text  # what was typed stays
    assert "q=2+rue+du+Commerce%2C+Lons" in server.paths[0]
    session.refresh(org)
    assert org.latitude is None and org.name == "Resto-Ban"  # saved only by "Enregistrer"


@pytest.mark.parametrize(("answer", "words"), [
    ({"status": 500}, "HTTP 500"),
    ({"body": b"garbage"}, "illisible"),
    ({"delay": 1.5}, "à temps"),
    ({"body": b'{"type": "FeatureCollection", "features": []}'}, "introuvable"),
])
def test_a_failed_address_search_says_why_and_keeps_the_form(geocoding, make_org, answer,
                                                             words):
    client, canned, _server = geocoding
    canned.update(answer)
    make_org("restaurant", code="resto-panne")
    response = client.post("/admin/orgs/resto-panne", data={
        "name": "Nom tapé", "address": "2 rue du Commerce", "latitude": "46,1",
        "longitude": "5,2", "geocode": "1"})
    assert response.status_code in (404, 422, 503)
    page = html.unescape(response.text)
    assert words in page and "Nom tapé" in page
    assert value_of(response.text, "latitude") == "46,1"


def test_a_reader_of_the_coordination_sees_the_coordinates_without_buttons(
        client, make_user, make_org, session):
    org = make_org("coordinator")
    reader = make_user("coordinator", org=org)
    reader.is_admin = False
    session.commit()
    make_org("restaurant", code="resto-lu", latitude=46.5, longitude=5.5)
    client.post("/login", data={"email": reader.email, "password": PASSWORD})
    page = client.get("/admin/orgs/resto-lu").text
    assert value_of(page, "latitude") == "46.5" and 'name="geocode"' not in page


# ------------------------------------------------------------------ the loops page


def test_the_loops_page_names_places_distances_and_warnings(client, coordinator, world):
    response = client.get("/admin/loops")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Boucles et distances" in page
    for org in (world.paris, world.site, world.marseille, world.restaurant):
        assert org.name in page
    assert world.paris.code not in page.replace(f"/admin/orgs/{world.paris.code}", "")
    assert "estimée" in page and "par la route" not in page
    assert "Au-delà de 600 km" in page
    assert "coordonnées manquantes" in page
    assert f'href="/admin/orgs/{world.unplaced.code}"' in response.text
    # Linked from the coordination's dashboard.
    assert 'href="/admin/loops"' in client.get("/admin/").text


def test_a_territorial_coordinator_sees_its_sites_loops_only(client, session, make_org,
                                                            make_user, make_crate,
                                                            make_container, scan):
    jura = create_territory(session, code="jura", name="Jura")
    doubs = create_territory(session, code="doubs", name="Doubs")
    session.commit()
    world = build_world(make_org, make_user, make_crate, make_container, scan,
                        site_territory=jura.id)
    jura_user = make_user("coordinator", org=make_org("coordinator", territory_id=jura.id))
    doubs_user = make_user("coordinator", org=make_org("coordinator", territory_id=doubs.id))
    client.post("/login", data={"email": jura_user.email, "password": PASSWORD})
    assert world.marseille.name in client.get("/admin/loops").text
    client.post("/logout")
    client.post("/login", data={"email": doubs_user.email, "password": PASSWORD})
    page = client.get("/admin/loops").text
    assert "Territoire : Doubs" in page
    assert world.marseille.name not in page and world.site.name not in page
    assert "Aucune boucle" in html.unescape(page)


def test_the_loops_page_is_the_coordinations(client, login, actors):
    login(actors["washing_site"])
    assert client.get("/admin/loops").status_code == 403


# ------------------------------------------------------------------ the batch close form


def test_the_close_form_proposes_the_collection_leg(client, world, session, login):
    batch = open_batch(session, actor=world.site_user, type_code="bouteille-75")
    add_inputs(session, batch, actor=world.site_user, codes=world.crate_codes[:2])
    session.commit()
    login(world.site_user)
    page = client.get(f"/washing/batches/{batch.id}").text
    proposed = float(value_of(page, "km_0"))
    assert 850 < proposed < 920  # Lons → Paris → Lons: 2 × 341 km × 1.3
    assert "Proposé d'après les distances des boucles" in html.unescape(page)
    # The operator's figure is what counts.
    response = client.post(f"/washing/batches/{batch.id}/close", data={
        "clean": "150", "km_0": "640", "mode_0": "truck"})
    assert response.status_code == 302, response.text
    session.refresh(batch)
    assert batch.transport == [{"km": 640.0, "mode": "truck"}]


def test_no_proposal_without_origins(client, world, session, login):
    batch = open_batch(session, actor=world.site_user, type_code="bouteille-75")
    add_inputs(session, batch, actor=world.site_user, count=12)
    session.commit()
    login(world.site_user)
    page = client.get(f"/washing/batches/{batch.id}").text
    assert value_of(page, "km_0") == ""
    assert "Proposé" not in page


def test_the_api_close_without_transport_stays_without(client, world, session, token_for):
    batch = open_batch(session, actor=world.site_user, type_code="bouteille-75")
    add_inputs(session, batch, actor=world.site_user, codes=world.crate_codes[:1])
    session.commit()
    response = client.post(f"/api/v1/batches/{batch.id}/close", json={"clean": 100},
                           headers=token_for(world.site_user))
    assert response.status_code == 200, response.text
    assert not get_session().get(Batch, batch.id).transport
