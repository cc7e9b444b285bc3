"""The public "Où rapporter ?" page (/ou-rapporter): the return points' list and map."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from bouteilles.config import DEFAULT_TILE_URL, load_config, tile_origin
from bouteilles.services.movements import commission_containers

LONS = (46.6747, 5.5546)
BESANCON = (47.2371, 6.0244)
SATURDAY_NOON = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)  # 12:00 in Paris


@pytest.fixture
def points(make_org, session):
    """Two restaurants, a collection point, one place without a position, and places
    that take nothing back (a washing site, a closed restaurant)."""
    make_org("restaurant", "resto-lons", latitude=LONS[0], longitude=LONS[1],
             address="4 place de la Liberté, Lons", opening_hours="mar.-sam. 11h30-14h")
    make_org("restaurant", "resto-besancon", latitude=BESANCON[0], longitude=BESANCON[1],
             opening_hours="lun.-ven. 19h-22h")
    make_org("collection_point", "cave-lons", latitude=46.6756, longitude=5.5563,
             opening_hours="sur rendez-vous")
    make_org("restaurant", "resto-sans-position", address="Quelque part")
    make_org("washing_site", "laverie", latitude=46.68, longitude=5.54)
    make_org("restaurant", "resto-ferme", latitude=LONS[0], longitude=LONS[1]).active = False
    session.commit()


@pytest.fixture
def at_saturday_noon(monkeypatch):
    monkeypatch.setattr("bouteilles.routes.public.utcnow", lambda: SATURDAY_NOON)


def names(html: str) -> list[str]:
    return re.findall(r'<span class="name">([^<]+)</span>', unescape(html))


def test_every_active_return_point_is_listed_without_a_login(client, points, at_saturday_noon):
    page = client.get("/ou-rapporter")
    assert page.status_code == 200
    html = unescape(page.text)
    assert "<h1" in html and "Où rapporter ?" in html
    # by name, the places without a position at the end
    assert names(html) == ["Cave-Lons", "Resto-Besancon", "Resto-Lons", "Resto-Sans-Position"]
    assert "Laverie" not in html and "Resto-Ferme" not in html
    assert '<ol class="places points" id="points">' in html
    assert f'data-lat="{LONS[0]}" data-lon="{LONS[1]}"' in html
    assert html.count("data-lat=") == 3  # the place without a position is not on the map
    assert "4 place de la Liberté, Lons" in html and "mar.-sam. 11h30-14h" in html
    # open now (Saturday noon): Lons yes, Besançon no; the appointment hours say nothing
    assert html.count("Ouvert maintenant") == 1 and html.count(">Fermé<") == 1
    assert "Par ordre alphabétique." in html and "\u202fkm" not in html


def test_a_type_keeps_the_places_that_take_it_back(client, points):
    boxes = unescape(client.get("/ou-rapporter?type=bocal-500").text)
    assert names(boxes) == ["Resto-Besancon", "Resto-Lons", "Resto-Sans-Position"]
    assert "Boîte en verre Ju'Ramène 500 ml" in boxes and "bocal-500\n" not in boxes
    bottles = unescape(client.get("/ou-rapporter?type=bouteille-75").text)
    assert names(bottles)[0] == "Cave-Lons" and len(names(bottles)) == 4
    unknown = client.get("/ou-rapporter?type=nimporte-quoi%00<b>")
    assert unknown.status_code == 200
    assert "n'est pas connu" in unescape(unknown.text) and len(names(unknown.text)) == 4
    assert "<b>" not in unknown.text


@pytest.mark.parametrize("value", ["%00", "%ed%b2%80", "x" * 5000, "bocal-500%00", "%27--",
                                   "BOCAL-500", "%20bocal-500"])
def test_a_type_that_is_not_one_lists_every_place(client, points, value):
    page = client.get(f"/ou-rapporter?type={value}")
    assert page.status_code == 200
    assert len(names(page.text)) == 4


def test_a_position_sorts_the_list_nearest_first(client, points):
    html = unescape(client.get(f"/ou-rapporter?lat={BESANCON[0]}&lon={BESANCON[1]}").text)
    assert names(html) == ["Resto-Besancon", "Cave-Lons", "Resto-Lons", "Resto-Sans-Position"]
    assert "Du plus proche au plus loin." in html
    distances = re.findall(r'<span class="km">([^<]*)</span>', html)
    assert distances == ["0,0\u202fkm", "71,8\u202fkm", "72,0\u202fkm", ""]


@pytest.mark.parametrize("query", [
    "lat=abc&lon=5", "lat=91&lon=5", "lat=46&lon=-200", "lat=nan&lon=nan", "lat=inf&lon=1",
    "lat=1e999&lon=1", "lat=46.6", "lon=5", "lat=&lon=", "lat=46,6&lon=5,5",
    "lat=" + "9" * 5000 + "&lon=1", "lat=%00&lon=%ff",
])
def test_a_position_that_is_not_one_is_ignored(client, points, query):
    page = client.get(f"/ou-rapporter?{query}")
    assert page.status_code == 200
    html = unescape(page.text)
    assert names(html) == ["Cave-Lons", "Resto-Besancon", "Resto-Lons", "Resto-Sans-Position"]
    if query != "lat=&lon=":
        assert "Cette position n'est pas reconnue" in html


def test_the_map_and_its_tiles(client, points):
    page = client.get("/ou-rapporter")
    html = page.text
    assert 'id="map"' in html and 'role="region"' in html
    assert "/static/vendor/leaflet/leaflet." in html and "places." in html
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org;" in \
        page.headers["Content-Security-Policy"]
    assert "geolocation=(self)" in page.headers["Permissions-Policy"]
    # elsewhere the phone's position stays off
    assert "geolocation=()" in client.get("/q").headers["Permissions-Policy"]


def test_no_tile_url_no_map_the_list_only(make_app, points):
    client = make_app(MAP_TILE_URL="").test_client()
    page = client.get("/ou-rapporter")
    assert page.status_code == 200
    assert 'id="map"' not in page.text and "leaflet" not in page.text
    assert len(names(page.text)) == 4
    assert "img-src 'self' data: blob:;" in page.headers["Content-Security-Policy"]


def test_another_tile_server(make_app, points):
    app = make_app(MAP_TILE_URL="https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png",
                   MAP_TILE_ATTRIBUTION="© Exemple")
    page = app.test_client().get("/ou-rapporter")
    assert "img-src 'self' data: blob: https://*.tiles.example.org;" in \
        page.headers["Content-Security-Policy"]
    assert "tiles.example.org/osm" in page.text and "\\u00a9 Exemple" in page.text


def test_no_return_point_yet(client):
    page = client.get("/ou-rapporter")
    assert page.status_code == 200
    assert "Aucun lieu du réseau" in unescape(page.text) and 'id="map"' not in page.text


def test_in_english(client, points, at_saturday_noon):
    html = unescape(client.get("/ou-rapporter?type=bocal-500&lang=en").text)
    assert "Where to return?" in html and "Open now" in html and "Closed" in html
    assert "Around me" in html and "Où rapporter" not in html
    # the language switch keeps the type
    english = client.get("/ou-rapporter?type=bocal-500").text
    assert "/ou-rapporter?type=bocal-500&amp;lang=fr" in english


def test_a_logged_in_member_sees_it_too(client, login, make_user, points):
    login(make_user("restaurant"))
    assert client.get("/ou-rapporter").status_code == 200


def test_the_item_page_and_the_unknown_code_page_link_to_it(client, session, actors, points):
    code = commission_containers(session, actor=actors["washing_site"], type_code="bocal-500",
                                 count=1, holder_code=actors["restaurant"].org.code)[0].code
    session.commit()
    item = unescape(client.get(f"/q/{code}").text)
    assert 'href="/ou-rapporter?type=bocal-500"' in item
    assert "Voir les points de retour sur la carte" in item
    unknown = unescape(client.get("/q/ZZZZ-ZZZZ-Z").text)
    assert 'href="/ou-rapporter"' in unknown


# ---------------------------------------------------------------- settings

@pytest.mark.parametrize("url, origin", [
    (DEFAULT_TILE_URL, "https://tile.openstreetmap.org"),
    ("https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.fr"),
    ("http://tiles.local:8080/{z}/{x}/{y}.png", "http://tiles.local:8080"),
    ("", ""),
])
def test_tile_origin(url, origin):
    assert tile_origin(url) == origin


@pytest.mark.parametrize("url", [
    "tile.openstreetmap.org/{z}/{x}/{y}.png", "ftp://tiles/{z}", "https://a{s}.b/{z}",
    "https://x.org;script-src *", "javascript:alert(1)", "https:///{z}",
])
def test_a_tile_url_the_csp_cannot_name_stops_the_start(monkeypatch, tmp_path, url):
    monkeypatch.setenv("SECRET_KEY", "test")
    monkeypatch.setenv("MAP_TILE_URL", url)
    with pytest.raises(SystemExit, match="MAP_TILE_URL"):
        load_config(tmp_path)


def test_tile_settings_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "test")
    monkeypatch.delenv("MAP_TILE_URL", raising=False)
    monkeypatch.delenv("MAP_TILE_ATTRIBUTION", raising=False)
    config = load_config(tmp_path)
    assert config["MAP_TILE_URL"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in config["MAP_TILE_ATTRIBUTION"]
    monkeypatch.setenv("MAP_TILE_URL", "")
    assert load_config(tmp_path)["MAP_TILE_URL"] == ""
