"""Members' requests in a real browser at phone width: a restaurant's full bin
("bac plein") collected, and a restaurant's order of clean boxes fulfilled."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import commission_boxes, log_in, screenshot

pytestmark = pytest.mark.e2e
NOTES = Path("/tmp/notes")


def shot(page, name: str) -> None:
    """A screenshot under test-output/, and a copy for the notes when they exist."""
    path = screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if NOTES.is_dir():
        shutil.copy(path, NOTES / f"{name}.png")


def api_scan(page, code: str, action: str) -> None:
    answer = page.request.post("/api/v1/scans", data={
        "code": code, "action": action, "idempotency_key": f"{action}-{code}-{time.time()}"})
    assert answer.status == 201, answer.text()


def pickup_status(app) -> list[str]:
    from sqlalchemy import select

    from bouteilles.db.database import get_session
    from bouteilles.models import Organisation, PickupRequest

    with app.app_context():
        return list(get_session().scalars(
            select(PickupRequest.status).join(Organisation, Organisation.id == PickupRequest.org_id)
            .where(Organisation.code == "resto-le-bistrot").order_by(PickupRequest.id)))


def test_a_full_bin_is_asked_for_seen_first_and_closed_by_the_collection(page, live_server):
    [code] = commission_boxes(live_server.app, 1, holder="resto-le-bistrot")
    log_in(page, "resto-le-bistrot")
    api_scan(page, code, "lend")
    api_scan(page, code, "return")
    page.goto("/restaurant/")
    page.fill("#pickup-note", "Deux bacs, sonnez côté cour")
    shot(page, "pickups-restaurant")
    page.get_by_role("button", name="Bac plein : demander une collecte").click()
    expect(page.locator("#pickup-open")).to_contain_text("Collecte demandée le")
    shot(page, "pickups-restaurant-asked")

    page.context.clear_cookies()  # the collector, on another phone
    log_in(page, "jura-collecte")
    page.goto("/collector/")
    page.locator("#counter[data-ready=true]").wait_for(state="attached")
    asked = page.locator("#pickups")
    expect(asked).to_contain_text("Le Bistrot des Arcades")
    expect(asked).to_contain_text("27 rue du Commerce")
    expect(asked).to_contain_text("Deux bacs, sonnez côté cour")
    assert asked.bounding_box()["y"] < page.locator("#places-title").bounding_box()["y"]
    shot(page, "pickups-collector")
    page.fill("#code", code)
    page.press("#code", "Enter")
    expect(page.locator(f"#order-lines li[data-code='{code}']")).to_have_attribute(
        "data-status", "found")
    page.locator("#order-submit").tap()
    expect(page.locator(f"#receipt-list li.receipt[data-code='{code}']").first) \
        .to_contain_text("Collecté")
    assert pickup_status(live_server.app)[-1] == "closed"
    page.reload()
    expect(page.locator("#pickups")).not_to_contain_text("Le Bistrot des Arcades")


def test_a_restaurant_orders_boxes_the_site_delivers_them(page, live_server):
    codes = commission_boxes(live_server.app, 2, holder="lavage-lons")
    log_in(page, "resto-le-bistrot")
    page.goto("/restaurant/")
    page.get_by_role("link", name="Commander des boîtes propres").click()
    page.select_option("#order-site", "lavage-lons")
    page.select_option("#order-type", "bocal-500")
    page.fill("#order-quantity", "2")
    page.fill("#order-note", "Pour le marché de samedi")
    page.get_by_role("button", name="Envoyer la commande").click()
    order = page.locator("#orders li").first
    expect(order).to_contain_text("ouverte")
    shot(page, "pickups-orders")

    page.context.clear_cookies()
    log_in(page, "lavage-lons")
    page.goto("/washing/requests")
    card = page.locator("section.card", has_text="Le Bistrot des Arcades").first
    card.locator("textarea").fill("\n".join(codes))
    card.get_by_role("button", name="Livrer au restaurant").click()
    expect(page.locator(".flash-success")).to_contain_text("Livré")

    page.context.clear_cookies()
    log_in(page, "resto-le-bistrot")
    page.goto("/restaurant/orders/")
    expect(page.locator("#orders li").first).to_contain_text("livrée")
    shot(page, "pickups-orders-fulfilled")
