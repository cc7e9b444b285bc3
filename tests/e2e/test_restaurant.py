"""Restaurant, tableware loan and collection run pages in a real (headless) Chromium.

Taps are counted as the restaurateur would make them: a tap on a link or a
button counts one; typing or pasting the code into a field already focused
(the counter's field has autofocus) is not a tap.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .conftest import OUTPUT, commission_boxes, log_in, screenshot

pytestmark = pytest.mark.e2e


class Taps:
    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def tap(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.tap()
        self.count += 1


def item_state(app, code: str) -> str:
    from bouteilles.db.database import get_session
    from bouteilles.services.items.lookup import get_item

    with app.app_context():
        return get_item(get_session(), code).state


def fits_phone(page) -> None:
    """Nothing wider than the phone's screen (no sideways scrolling).

    After a tap that navigates, the new page's text can be there before its
    stylesheets: measure once the page has loaded (a run measured 576 px)."""
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_lend_and_take_back_in_taps(page, live_server):
    [code] = commission_boxes(live_server.app, 1)
    log_in(page, "resto-le-comptoir")
    page.goto("/restaurant/")
    expect(page.locator("h1")).to_contain_text("Le Comptoir")
    fits_phone(page)
    screenshot(page, "restaurant-overview")

    # Lend from the restaurant page: open the counter, type the code, tap "Prêter".
    lend = Taps(page)
    lend.tap("a.button.big")
    expect(page.locator("#code")).to_be_focused()
    page.fill("#code", code)
    lend.tap("button[value=lend]")
    expect(page.locator("#result")).to_contain_text("Consigne encaissée : 5,00")
    assert item_state(live_server.app, code) == "in_use"
    expect(page.locator("#code")).to_be_focused()  # ready for the next box
    screenshot(page, "restaurant-counter")

    # Take back on the counter page: type the code, tap "Reprendre".
    take_back = Taps(page)
    page.fill("#code", code)
    take_back.tap("button[value=return]")
    expect(page.locator("#result")).to_contain_text("Consigne à rembourser : 5,00")
    assert item_state(live_server.app, code) == "returned"

    # From the scanner's link (code already known): one tap.
    [other] = commission_boxes(live_server.app, 1)
    from_scanner = Taps(page)
    page.goto(f"/restaurant/counter?code={other}")
    expect(page.locator("#item")).to_contain_text("propre")
    from_scanner.tap("button[value=lend]")
    assert item_state(live_server.app, other) == "in_use"
    page.goto(f"/restaurant/counter?code={other}")
    expect(page.locator("button[value=return]")).to_have_class("primary")
    from_scanner_back = Taps(page)
    from_scanner_back.tap("button[value=return]")
    assert item_state(live_server.app, other) == "returned"

    taps = {"lend_from_restaurant_page": lend.count, "take_back_on_counter": take_back.count,
            "lend_from_scanner_link": from_scanner.count,
            "take_back_from_scanner_link": from_scanner_back.count}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "restaurant-taps.json").write_text(json.dumps(taps, indent=1))
    print("taps:", taps)
    assert taps == {"lend_from_restaurant_page": 2, "take_back_on_counter": 1,
                    "lend_from_scanner_link": 1, "take_back_from_scanner_link": 1}

    page.goto("/restaurant/boxes/in_use")
    expect(page.locator("h1")).to_be_visible()
    fits_phone(page)
    screenshot(page, "restaurant-out")
    page.goto("/restaurant/settlements")
    screenshot(page, "restaurant-settlements")


def test_refused_code_is_kept(page, live_server):
    log_in(page, "resto-le-comptoir")
    page.goto("/restaurant/counter")
    page.fill("#code", "ABCD-EFGH-Z")
    page.locator("button[value=lend]").tap()
    expect(page.locator("#form-error")).to_contain_text("Code invalide")
    expect(page.locator("#code")).to_have_value("ABCD-EFGH-Z")


def test_event_tableware_loan(page, live_server):
    from bouteilles.db.database import get_session
    from bouteilles.services.members.accounts import create_org

    with live_server.app.app_context():
        session = get_session()
        from sqlalchemy import select

        from bouteilles.models import Organisation
        if session.scalar(select(Organisation).where(Organisation.code == "asso-fete")) is None:
            create_org(session, code="asso-fete", name="Comité des fêtes de Lons",
                       kind="event_organiser", address="Place de la Comédie, Lons-le-Saunier")
            session.commit()
    log_in(page, "resto-le-comptoir")
    page.goto("/loans/new")
    page.select_option("#borrower", "asso-fete")
    page.fill("#event_name", "Fête de la musique")
    page.fill("#qty-bocal-500", "40")
    page.locator("button[type=submit].primary").tap()
    expect(page.locator("h1")).to_contain_text("Fête de la musique")
    fits_phone(page)
    page.fill("#returned-bocal-500", "36")
    page.fill("#broken-bocal-500", "1")
    page.fill("#missing-bocal-500", "3")
    page.locator("button[value=close]").tap()
    expect(page.locator(".status-closed")).to_be_visible()
    expect(page.locator("table")).to_contain_text("20,00")
    screenshot(page, "restaurant-loan")


def test_collection_run(page, live_server):
    codes = commission_boxes(live_server.app, 2)
    log_in(page, "resto-le-comptoir")
    for code in codes:
        for action in ("lend", "return"):
            page.goto(f"/restaurant/counter?code={code}")
            page.locator(f"button[value={action}]").tap()
            expect(page.locator("#result")).to_be_visible()
    page.context.clear_cookies()  # another person, another phone
    log_in(page, "jura-collecte")
    page.goto("/collector/")
    expect(page.locator("#places-title")).to_be_visible()
    expect(page.locator(".places")).to_contain_text("Le Comptoir")
    page.fill("#code", codes[0])
    page.locator("button[value=collect]").tap()
    expect(page.locator("#result")).to_contain_text("Collecté")
    expect(page.locator("#held-title + ul.tiles")).to_be_visible()
    assert item_state(live_server.app, codes[0]) == "collected"
    fits_phone(page)
    screenshot(page, "collector-run")
    page.fill("#code", codes[0])
    page.locator("button[value=deliver]").tap()
    expect(page.locator("#result")).to_contain_text("Livré")
