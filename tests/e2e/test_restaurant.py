"""Restaurant, tableware loan and collection run pages in a real (headless) Chromium.

Taps are counted as the restaurateur would make them: a tap on a link or a
button counts one; typing or pasting the code into a field already focused
(the counter focuses its field) and Enter on a keyboard are not taps.
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

    def tap(self, selector: str, *, navigates: bool = False) -> None:
        if navigates:
            with self.page.expect_navigation():
                self.page.locator(selector).first.tap()
        else:
            self.page.locator(selector).first.tap()
        self.count += 1


def type_code(page, code: str) -> None:
    """Type a code on the counter (Enter): the box joins the order, its action proposed."""
    page.fill("#code", code)
    page.press("#code", "Enter")
    expect(page.locator(f"#order-lines li[data-code='{code}']")).to_have_attribute(
        "data-status", "found")


def receipt(page, code: str):
    return page.locator(f"#receipt-list li.receipt[data-code='{code}']").first


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

    # Lend from the restaurant page: open the counter, type the code, tap the proposal.
    lend = Taps(page)
    lend.tap("a.button.big", navigates=True)
    page.locator("#counter[data-ready=true]").wait_for(state="attached")
    expect(page.locator("#code")).to_be_focused()
    type_code(page, code)
    expect(page.locator("#order-submit")).to_have_attribute("data-action", "lend")
    lend.tap("#order-submit")
    expect(receipt(page, code)).to_contain_text("Prêté : 5,00 € de consigne encaissés")
    assert item_state(live_server.app, code) == "in_use"
    expect(page.locator("#code")).to_be_focused()  # ready for the next box
    screenshot(page, "restaurant-counter")

    # Take back on the counter page: type the code, tap the proposal (now "Reprendre").
    take_back = Taps(page)
    type_code(page, code)
    expect(page.locator("#order-submit")).to_have_attribute("data-action", "return")
    take_back.tap("#order-submit")
    expect(receipt(page, code)).to_contain_text("Repris : rendez 5,00 € au client")
    assert item_state(live_server.app, code) == "returned"

    # From a link with the code (the restaurant's lists, a label's page): one tap.
    [other] = commission_boxes(live_server.app, 1)
    from_scanner = Taps(page)
    page.goto(f"/restaurant/counter?code={other}")
    line = page.locator(f"#order-lines li[data-code='{other}']")
    expect(line).to_contain_text("propre")
    from_scanner.tap("#order-submit")
    expect(receipt(page, other)).to_have_attribute("data-status", "ok")
    assert item_state(live_server.app, other) == "in_use"
    page.goto(f"/restaurant/counter?code={other}")
    expect(page.locator("#order-submit")).to_have_attribute("data-action", "return")
    from_scanner_back = Taps(page)
    from_scanner_back.tap("#order-submit")
    expect(receipt(page, other)).to_have_attribute("data-status", "ok")
    assert item_state(live_server.app, other) == "returned"

    # With a keyboard (or a barcode reader that types): Enter does the proposal.
    [keyboard] = commission_boxes(live_server.app, 1)
    type_code(page, keyboard)
    page.press("#code", "Enter")
    expect(receipt(page, keyboard)).to_have_attribute("data-status", "ok")
    assert item_state(live_server.app, keyboard) == "in_use"

    taps = {"lend_from_restaurant_page": lend.count, "take_back_on_counter": take_back.count,
            "lend_from_scanner_link": from_scanner.count,
            "take_back_from_scanner_link": from_scanner_back.count,
            "lend_with_enter_on_counter": 0}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "restaurant-taps.json").write_text(json.dumps(taps, indent=1))
    print("taps:", taps)
    assert taps == {"lend_from_restaurant_page": 2, "take_back_on_counter": 1,
                    "lend_from_scanner_link": 1, "take_back_from_scanner_link": 1,
                    "lend_with_enter_on_counter": 0}

    page.goto("/restaurant/boxes/in_use")
    expect(page.locator("h1")).to_be_visible()
    fits_phone(page)
    screenshot(page, "restaurant-out")
    page.goto("/restaurant/settlements")
    screenshot(page, "restaurant-settlements")


def test_refused_code_is_kept(page, live_server):
    log_in(page, "resto-le-comptoir")
    page.goto("/restaurant/counter")
    page.locator("#counter[data-ready=true]").wait_for(state="attached")
    page.fill("#code", "ABCD-EFGH-Z")
    page.press("#code", "Enter")
    expect(page.locator("#code-error")).to_contain_text("mal recopié")
    expect(page.locator("#code")).to_have_value("ABCD-EFGH-Z")
    expect(page.locator("#order")).to_be_hidden()


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
    page.goto("/restaurant/counter")
    page.locator("#counter[data-ready=true]").wait_for(state="attached")
    for _action in ("lend", "return"):  # the order's proposal: lend, then take back
        for code in codes:
            type_code(page, code)
        page.press("#code", "Enter")
        expect(page.locator("#receipt-list > li").first.locator("li[data-status=ok]")) \
            .to_have_count(2)
    page.context.clear_cookies()  # another person, another phone
    log_in(page, "jura-collecte")
    page.goto("/collector/")
    page.locator("#counter[data-ready=true]").wait_for(state="attached")
    expect(page.locator("#places-title")).to_be_visible()
    expect(page.get_by_role("region", name="À collecter").locator(".places")) \
        .to_contain_text("Le Comptoir")
    type_code(page, codes[0])
    page.locator("#order-submit").tap()
    expect(receipt(page, codes[0])).to_contain_text("Collecté")
    assert item_state(live_server.app, codes[0]) == "collected"
    page.reload()
    expect(page.locator("#held-title + ul.tiles")).to_be_visible()
    fits_phone(page)
    screenshot(page, "collector-run")
    type_code(page, codes[0])
    page.locator("#order-submit").tap()
    expect(receipt(page, codes[0])).to_contain_text("Livré")
