"""The public page of a label on a phone, as a consumer's camera opens it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.e2e


def most_reused_box(app) -> str:
    """The demo box with the most completed cycles (ties: one out with a customer)."""
    from bouteilles.db.database import get_session
    from bouteilles.models import Container

    with app.app_context():
        return get_session().scalar(
            select(Container.code).order_by(Container.cycles.desc(),
                                            (Container.state != "in_use"), Container.id))


def test_public_page_on_a_phone(page, live_server, shot):
    code = most_reused_box(live_server.app)
    response = page.goto(f"/q/{code}")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Une boîte Ju'Ramène")
    expect(page.locator("#contact-title")).to_have_text("Une question ?")
    expect(page.locator("#contact-title + p")).to_have_text(
        "Coordination du réseau : Coopérative Réemploi Jura.")
    expect(page.get_by_text("12 rue des Salines, 39000 Lons-le-Saunier")).to_be_visible()
    expect(page.locator("#places-title")).to_have_text("Où rapporter la boîte")
    # The demo's four restaurants, the three of the box's territory first.
    expect(page.locator(".places li")).to_have_count(4)
    expect(page.locator(".places li").last).to_contain_text("Besançon")
    expect(page.locator(".places")).to_contain_text("4 place de la Liberté")
    expect(page.locator(".deposit")).to_contain_text("5,00")
    assert page.locator("script").count() == 0
    robots = page.locator('meta[name="robots"]').get_attribute("content")
    assert robots == "noindex"
    # Phone width: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("public-page")

    page.click("a.lang")
    expect(page.locator("h1")).to_have_text("A Ju'Ramène box")
    expect(page.locator("#contact-title")).to_have_text("A question?")
    shot("public-page-en")


def test_a_box_out_with_a_customer_says_by_when(page, live_server, shot):
    from bouteilles.db.database import get_session
    from bouteilles.models import Container

    with live_server.app.app_context():
        code = get_session().scalar(select(Container.code).where(Container.state == "in_use")
                                    .order_by(Container.lent_at.desc(), Container.id))
    page.goto(f"/q/{code}")
    expect(page.locator(".state")).to_have_text(
        "État : En circulation : une fois vide, rapportez-la dans un restaurant du réseau.")
    expect(page.locator(".due")).to_contain_text("À rapporter au plus tard le ")
    page.locator(".due").get_by_role("link", name="Où la rapporter").click()
    assert page.url.endswith("#places-title")
    expect(page.locator("#places-title")).to_be_in_viewport()
    shot("public-page-due")
    page.goto(f"/q/{code}?lang=en")
    expect(page.locator(".due")).to_contain_text("Please bring it back by ")


def test_mistyped_code_then_typed_again(page, live_server, shot):
    code = most_reused_box(live_server.app)
    response = page.goto("/q/ABCD-1234")
    assert response.status == 422
    expect(page.locator("h1")).to_have_text("Ce code ne semble pas complet")
    shot("public-unknown")
    page.fill("#code", f"{code[:4]} {code[4:8]} {code[8:]}".lower())
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Une boîte Ju'Ramène")
    assert page.url.endswith(f"/q/{code}")


def test_member_is_sent_to_the_scanner(page, live_server):
    code = most_reused_box(live_server.app)
    page.goto("/login")
    page.fill("#email", "resto-le-comptoir@demo.bouteilles.fr")
    page.fill("#password", "tilleul-et-marnes")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    response = page.goto(f"/q/{code}")
    assert response.request.redirected_from is not None  # /q/<code> → the scanner
    # (the page may tidy its URL; a check character such as '$' or '=' is escaped)
    url = urlsplit(response.request.url)
    assert (url.path, parse_qs(url.query)) == ("/scan", {"code": [code]})
