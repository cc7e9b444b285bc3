"""Corrections at phone size: boxes taken back by count at the rush, and the
coordination reverting a mistaken move from the object's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import log_in, screenshot

pytestmark = pytest.mark.e2e


def _record(app, code: str, action: str, org: str, **more) -> None:
    from sqlalchemy import select

    from bouteilles.db.database import get_session
    from bouteilles.models import User
    from bouteilles.services.movements import record_scan

    from .conftest import demo_email

    with app.app_context():
        session = get_session()
        actor = session.scalar(select(User).where(User.email == demo_email(org)))
        record_scan(session, actor=actor, code=code, action=action, **more)
        session.commit()


def test_a_count_at_the_rush_is_noted_and_listed(page, live_server):
    log_in(page, "resto-le-comptoir")
    page.goto("/restaurant/")
    page.get_by_role("link", name="Reprises sans scan").tap()
    page.wait_for_url("**/restaurant/counted-returns")
    page.select_option("#type", "bocal-500")
    page.fill("#count", "3")
    page.fill("#note", "coup de feu de midi")
    page.get_by_role("button", name="Enregistrer le comptage").tap()
    expect(page.locator(".flash")).to_contain_text("3 boîtes reprises par comptage")
    expect(page.locator("table")).to_contain_text("coup de feu de midi")
    expect(page.locator("table")).to_contain_text("15,00")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, "counted-returns")
    # A slip (3000 boxes) is refused next to the field, what was typed kept.
    page.fill("#count", "3000")
    page.get_by_role("button", name="Enregistrer le comptage").tap()
    expect(page.locator("#count")).to_have_value("3000")
    expect(page.locator("#count")).to_have_attribute("aria-invalid", "true")


def test_the_coordination_reverts_a_mistaken_reject(page, live_server, boxes):
    code = boxes(1, holder="lavage-lons")[0]
    _record(live_server.app, code, "collect", "lavage-lons")
    _record(live_server.app, code, "reject", "lavage-lons", reason="chipped")
    log_in(page, "coop-jura")
    page.goto(f"/admin/items/{code}")
    expect(page.locator("h1")).to_contain_text(code)
    page.fill("#reason", "ébréchure mal vue au tri")
    page.get_by_role("button", name="Annuler ce mouvement").tap()
    expect(page.locator(".flash")).to_contain_text("Mouvement annulé")
    expect(page.locator("ol.events li").first).to_contain_text("ébréchure mal vue au tri")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, "item-corrected")
