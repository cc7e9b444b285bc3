"""The public "Où rapporter ?" page on a phone, its tile server out of reach: the list
is there and whole, "Autour de moi" sorts it, the map does not get in the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, screenshot

pytestmark = pytest.mark.e2e

BESANCON = {"latitude": 47.2375, "longitude": 6.0240}
TILES = re.compile(r"^https://tile\.openstreetmap\.org/")
# The demo's return points, by name (every one has a position).
DEMO_POINTS = ["Cave du Centre (point de collecte)", "La Fruitière", "Le Bistrot des Arcades",
               "Le Bouchon de la Boucle", "Le Comptoir"]


@pytest.fixture
def phone(browser, live_server):
    """phone(**options) → a page in a phone's browser whose tile server never
    answers; the tile requests it made are in page.tile_requests."""
    made = []

    def open_(**options):
        context = browser.new_context(
            base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True,
            has_touch=True, locale="fr-FR", timezone_id="Europe/Paris", **options)
        context.set_default_timeout(15_000)
        made.append(context)
        requests: list[str] = []

        def refuse(route):
            requests.append(route.request.url)
            route.abort()

        context.route(TILES, refuse)
        page = context.new_page()
        page.tile_requests = requests
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield open_
    for context in made:
        context.close()


def names(page) -> list[str]:
    return page.locator("#points > li .place-name .name").all_inner_texts()


def test_sorted_around_me_with_the_tiles_blocked(phone):
    page = phone(geolocation=BESANCON, permissions=["geolocation"])
    assert page.goto("/ou-rapporter").status == 200
    expect(page.locator("h1")).to_have_text("Où rapporter ?")
    assert names(page) == DEMO_POINTS  # by name before any position
    # the map: shown, one marker per point, its tiles refused, the page unharmed
    expect(page.locator("#map-frame")).to_be_visible()
    expect(page.locator("#map")).to_have_attribute("role", "region")
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(len(DEMO_POINTS))
    page.wait_for_function("() => document.querySelectorAll('#map img.leaflet-tile').length > 0")
    assert page.tile_requests, "the map asked for no tile"
    expect(page.locator("#map-tiles-failed")).to_be_visible()
    # "Autour de moi": nearest first, with distances
    button = page.get_by_role("button", name="Autour de moi")
    assert button.bounding_box()["height"] >= 44
    button.click()
    expect(page.locator("#near-status")).to_have_text(
        "Liste triée du plus proche au plus loin de votre position.")
    assert names(page)[0] == "Le Bouchon de la Boucle"
    assert set(names(page)) == set(DEMO_POINTS)
    expect(page.locator("#points > li").first.locator(".distance")).to_have_text(
        re.compile(r"Distance : 0,\d\s?km"))
    expect(page.locator("#points > li").nth(1).locator(".distance")).to_contain_text("km")
    expect(page.locator("#points-order")).to_have_text("Du plus proche au plus loin.")
    # a marker opens its place's popup, with a way to the list (from the keyboard: the
    # Lons markers overlap at this zoom)
    page.locator("#map .leaflet-marker-icon[title='Le Comptoir']").focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    expect(popup).to_contain_text("Le Comptoir")
    expect(popup).to_contain_text("4 place de la Liberté")
    expect(popup.get_by_role("link", name="Voir dans la liste")).to_have_attribute(
        "href", re.compile(r"^#point-\d+$"))
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.errors == []
    screenshot(page, "places-around-me")
    page.screenshot(path=str(screenshot(page, "places-around-me").with_name(
        "places-around-me-top.png")))  # the first screen, as the phone shows it


def test_the_list_without_javascript(phone):
    page = phone(java_script_enabled=False)
    assert page.goto("/ou-rapporter?lat=47.2375&lon=6.024").status == 200
    assert names(page)[0] == "Le Bouchon de la Boucle"  # sorted by the server
    expect(page.locator("#points > li")).to_have_count(len(DEMO_POINTS))
    expect(page.locator("#map-frame")).to_be_hidden()
    expect(page.locator("#near")).to_be_hidden()
    assert page.tile_requests == []
    screenshot(page, "places-without-javascript")


def test_position_refused_keeps_the_list(phone):
    page = phone()  # no geolocation permission: the browser refuses
    page.goto("/ou-rapporter")
    page.get_by_role("button", name="Autour de moi").click()
    expect(page.locator("#near-status")).to_contain_text("Position")
    assert names(page) == DEMO_POINTS
    assert page.errors == []


def test_from_a_box_s_public_page(phone, boxes):
    code = boxes(1)[0]
    page = phone(geolocation=BESANCON, permissions=["geolocation"])
    page.goto(f"/q/{code}")
    page.get_by_role("link", name="Voir les points de retour sur la carte").click()
    expect(page.locator("h1")).to_have_text("Où rapporter ?")
    assert "type=bocal-500" in page.url
    # boxes go back to restaurants: the collection point is not listed
    assert "Cave du Centre (point de collecte)" not in names(page)
    expect(page.locator("#points > li")).to_have_count(4)
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(4)
    screenshot(page, "places-boxes")


def test_in_english(phone):
    page = phone()
    page.goto("/ou-rapporter?lang=en")
    expect(page.locator("h1")).to_have_text("Where to return?")
    expect(page.get_by_role("button", name="Around me")).to_be_visible()
    expect(page.locator("#map .leaflet-control-zoom-in")).to_have_attribute("title", "Zoom in")
    screenshot(page, "places-en")
