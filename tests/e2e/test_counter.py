"""The counter component in a real (headless) Chromium at 390 px: the restaurant's
counter (lend, take back, several boxes for one order, undo, the offline queue)
and the collector's run (collect, deliver)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from .conftest import PHONE, log_in, screenshot

pytestmark = pytest.mark.e2e

# Raw codes the page must never show: actions, states, anomalies, deposit kinds, type codes.
RAW = ("lend", "return", "collect", "deliver", "in_use", "skipped_lend", "taken", "refunded",
       "bocal-500", "undefined", "null", "NaN")


def item(app, code: str):
    from bouteilles.db.database import get_session
    from bouteilles.services.items.lookup import get_item

    with app.app_context():
        found = get_item(get_session(), code)
        return found.state, found.holder.code


def events(app, code: str) -> list[tuple[str, str | None]]:
    """(action, idempotency key) of the code's events, oldest first."""
    from bouteilles.db.database import get_session
    from bouteilles.models import Event

    with app.app_context():
        rows = get_session().execute(
            select(Event.action, Event.idempotency_key).where(Event.code == code)
            .order_by(Event.id)).all()
        return [tuple(row) for row in rows]


def api_scan(page, code: str, action: str, **extra) -> None:
    """A scan through the API as the page's user (to set the scene)."""
    answer = page.request.post("/api/v1/scans", data={
        "code": code, "action": action, "idempotency_key": f"{action}-{code}-{time.time()}",
        **extra})
    assert answer.status == 201, answer.text()


def open_counter(page, org: str = "resto-le-comptoir", path: str = "/restaurant/counter"):
    log_in(page, org)
    page.goto(path)
    page.locator("#counter[data-ready=true]").wait_for(state="attached")


def add(page, code: str, status: str = "found"):
    """Type a code and Enter: the box joins the order once looked up."""
    page.fill("#code", code)
    page.press("#code", "Enter")
    line = page.locator(f"#order-lines li[data-code='{code.upper()}']")
    expect(line).to_have_attribute("data-status", status)
    return line


def receipt(page, code: str):
    return page.locator(f"#receipt-list li.receipt[data-code='{code}']").first


def no_raw_codes(locator) -> None:
    words = set(locator.inner_text().replace(",", " ").replace(":", " ").split())
    assert not words & set(RAW), words & set(RAW)


def wait_offline_copy(page, path: str) -> None:
    """Wait until the service worker keeps a copy of the page (it fetches it once the
    page has named itself)."""
    assert page.evaluate("""async (path) => {
        for (let i = 0; i < 100; i += 1) {
            for (const name of await caches.keys()) {
                if (await (await caches.open(name)).match(path)) return true;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return false;
    }""", path)


def fits_the_phone(page) -> None:
    """390 px wide without sideways scrolling; every visible button at least 44 px tall."""
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    heights = page.evaluate("""() => [...document.querySelectorAll('button, summary')]
        .filter((b) => b.offsetParent !== null)
        .map((b) => [b.textContent.trim().slice(0, 30), b.getBoundingClientRect().height])""")
    small = [(text, height) for text, height in heights if height < 44]
    assert not small, small
    expect(page.locator("h1")).to_have_count(1)


def test_enter_lends_then_takes_back(page, live_server, boxes, shot):
    [code] = boxes(1)
    open_counter(page)
    fits_the_phone(page)
    shot("counter-empty")

    line = add(page, code.lower())  # typed codes are forgiving about case
    expect(line).to_contain_text("propre")
    # The proposed action is the pressed (big) one, the other one tap away.
    expect(line.locator("button[data-action=lend]")).to_have_attribute("aria-pressed", "true")
    expect(line.locator("button[data-action=return]")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#order-summary")).to_have_text("1 boîte, 5,00 € de consigne à encaisser")
    expect(page.locator("#order-submit")).to_have_attribute("data-action", "lend")
    expect(page.locator("#code")).to_be_focused()
    fits_the_phone(page)
    shot("counter-proposal")

    page.press("#code", "Enter")  # Enter on the empty field: the proposed action
    done = receipt(page, code)
    expect(done).to_have_attribute("data-status", "ok")
    expect(done.locator(".receipt-title")).to_have_text("✓ Prêté : 5,00 € de consigne encaissés")
    no_raw_codes(page.locator("#receipts"))
    assert item(live_server.app, code)[0] == "in_use"
    expect(page.locator("#order")).to_be_hidden()

    # The same box again: now the proposal is to take it back, and Enter does that.
    line = add(page, code)
    expect(line.locator("button[data-action=return]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#order-summary")).to_have_text("1 boîte, 5,00 € de consigne à rendre")
    page.press("#code", "Enter")
    back = receipt(page, code)
    expect(back).to_have_attribute("data-status", "ok")
    expect(back.locator(".receipt-title")).to_have_text("✓ Repris : rendez 5,00 € au client")
    no_raw_codes(page.locator("#receipts"))
    assert item(live_server.app, code)[0] == "returned"
    fits_the_phone(page)
    shot("counter-receipts")


def test_enter_never_does_an_impossible_action(page, live_server, boxes):
    [code] = boxes(1)
    open_counter(page)
    api_scan(page, code, "lend")
    api_scan(page, code, "return")  # returned: neither lent nor taken back again here
    before = events(live_server.app, code)

    line = add(page, code, status="impossible")
    expect(line.locator("button[data-action]")).to_have_count(0)
    expect(line).to_contain_text("Aucune action possible : état « rendu », chez Le Comptoir.")
    expect(page.locator("#order-submit")).to_be_hidden()
    page.press("#code", "Enter")
    expect(page.locator("#order-note")).to_contain_text("Rien à enregistrer")
    time.sleep(0.3)
    assert events(live_server.app, code) == before


def test_the_other_action_is_one_tap_away(page, live_server, boxes):
    [code] = boxes(1)
    open_counter(page)
    line = add(page, code)
    line.locator("button[data-action=return]").tap()  # a box lent without a scan
    expect(line.locator("button[data-action=return]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#order-submit")).to_have_attribute("data-action", "return")
    page.locator("#order-submit").tap()
    done = receipt(page, code)
    expect(done).to_have_attribute("data-status", "ok")
    expect(done.locator(".receipt-title")).to_have_text("✓ Repris")
    expect(done).to_contain_text("Signalé à la coordination : prêt non scanné")
    no_raw_codes(done)
    assert item(live_server.app, code)[0] == "returned"


def test_several_boxes_for_one_order(page, live_server, boxes, shot):
    lent, *clean = boxes(3)
    open_counter(page)
    api_scan(page, lent, "lend")  # the customer brings one back and takes two
    for code in clean:
        add(page, code)
    add(page, lent)
    add(page, clean[0])  # read twice: still one line
    expect(page.locator("#order-note")).to_contain_text("déjà dans la liste")
    expect(page.locator("#order-lines li")).to_have_count(3)
    expect(page.locator("#order-summary p")).to_have_text([
        "Prêter : 2 boîtes, 10,00 € de consigne à encaisser",
        "Reprendre : 1 boîte, 5,00 € de consigne à rendre",
        "Au total : encaissez 5,00 €",
    ])
    expect(page.locator("#order-submit")).to_contain_text("3 boîtes")
    fits_the_phone(page)
    shot("counter-order")

    page.locator("#order-submit").tap()  # one tap records them all
    expect(page.locator("#receipt-list li.receipt[data-status=ok]")).to_have_count(3)
    expect(page.locator("#receipt-list .receipt-total").first).to_have_text(
        "3 boîtes · Au total : encaissez 5,00 €")
    no_raw_codes(page.locator("#receipts"))
    keys = []
    for code in clean:
        assert item(live_server.app, code)[0] == "in_use"
        keys += [key for action, key in events(live_server.app, code) if action == "lend"]
    assert item(live_server.app, lent)[0] == "returned"
    keys += [key for action, key in events(live_server.app, lent) if action == "return"]
    assert len(keys) == len(set(keys)) == 3  # each box its own scan, its own key


def test_undo_a_lend_and_a_return(page, live_server, boxes, shot):
    lend, back = boxes(2)
    open_counter(page)
    api_scan(page, back, "lend")
    add(page, lend)
    add(page, back)
    page.locator("#order-submit").tap()
    expect(page.locator("#receipt-list li.receipt[data-status=ok]")).to_have_count(2)

    receipt(page, lend).locator("button.receipt-undo").tap()
    undone = receipt(page, lend)
    expect(undone).to_have_attribute("data-status", "undone")
    expect(undone.locator(".receipt-title")).to_have_text("Annulé : rendez 5,00 € au client")
    expect(undone).to_contain_text("Prêté, puis annulé.")
    assert item(live_server.app, lend)[0] == "clean"
    assert [action for action, _key in events(live_server.app, lend)][-2:] == ["lend", "undo"]

    receipt(page, back).locator("button.receipt-undo").tap()
    undone = receipt(page, back)
    expect(undone).to_have_attribute("data-status", "undone")
    expect(undone.locator(".receipt-title")).to_have_text("Annulé : le client vous rend 5,00 €")
    assert item(live_server.app, back)[0] == "in_use"
    expect(undone.locator("button.receipt-undo")).to_have_count(0)
    no_raw_codes(page.locator("#receipts"))
    shot("counter-undone")


def test_undo_is_offered_for_undo_minutes_only(page, live_server, boxes):
    [code] = boxes(1)
    page.clock.install()  # the page's clock is Playwright's (it runs, and can jump)
    open_counter(page)
    add(page, code)
    page.press("#code", "Enter")
    done = receipt(page, code)
    expect(done.locator("button.receipt-undo")).to_be_visible()
    page.clock.fast_forward("14:00")
    expect(done.locator("button.receipt-undo")).to_be_visible()
    page.clock.fast_forward("02:00")  # past UNDO_MINUTES (15)
    expect(done.locator("button.receipt-undo")).to_have_count(0)


def test_offline_queue_with_undo_before_sending(page, context, live_server, boxes, shot):
    from .test_scan import wait_service_worker

    first, second, third, later, dropped = boxes(5)
    open_counter(page)
    wait_service_worker(page)
    wait_offline_copy(page, "/restaurant/counter")

    context.set_offline(True)
    expect(page.locator("#net-status")).to_have_text("Hors ligne")
    line = add(page, first, status="offline")
    expect(line).to_contain_text("Hors ligne")
    # Without the box's state nothing is proposed: Enter does nothing and says why.
    page.press("#code", "Enter")
    expect(page.locator("#order-note")).to_contain_text("Choisissez l'action pour")
    line.locator("button[data-action=lend]").tap()
    # The next boxes of the same order take the action chosen for the first.
    for code in (second, third):
        expect(add(page, code, status="offline").locator("button[data-action=lend]")) \
            .to_have_attribute("aria-pressed", "true")
    expect(page.locator("#order-summary")).to_have_text("3 boîtes, 15,00 € de consigne à encaisser")
    fits_the_phone(page)
    shot("counter-offline-order")
    page.press("#code", "Enter")
    expect(page.locator("#receipt-list li.receipt[data-status=pending]")).to_have_count(3)
    expect(receipt(page, first)).to_contain_text("Encaissez 5,00 € de consigne.")
    expect(page.locator("#pending-count")).to_have_text("3")

    # Annuler before it is sent: out of the queue, nothing sent.
    receipt(page, first).locator("button.receipt-undo").tap()
    cancelled = receipt(page, first)
    expect(cancelled).to_have_attribute("data-status", "undone")
    expect(cancelled.locator(".receipt-title")).to_have_text("Annulé : rendez 5,00 € au client")
    expect(cancelled).to_contain_text("Rien n'a été envoyé.")
    expect(page.locator("#pending-count")).to_have_text("2")
    shot("counter-offline-pending")

    context.set_offline(False)
    expect(page.locator("#receipt-list li.receipt[data-status=ok]")).to_have_count(2,
                                                                                timeout=20_000)
    expect(receipt(page, second).locator("button.receipt-undo")).to_be_visible()
    assert item(live_server.app, first)[0] == "clean"
    assert [action for action, _key in events(live_server.app, first)] == ["commission"]
    for code in (second, third):
        assert item(live_server.app, code)[0] == "in_use"

    # The page itself opens without network (service worker), and keeps its queue.
    context.set_offline(True)
    add(page, later, status="offline").locator("button[data-action=lend]").tap()
    add(page, dropped, status="offline")
    page.press("#code", "Enter")
    expect(page.locator("#pending-count")).to_have_text("2")
    # Annuler from the queue's own list: the same as from the result.
    page.locator(f"#pending-list li[data-code='{dropped}'] button.row-cancel").tap()
    expect(receipt(page, dropped)).to_have_attribute("data-status", "undone")
    expect(page.locator("#pending-count")).to_have_text("1")
    page.reload()
    expect(page.locator("#counter[data-ready=true]")).to_be_attached()
    expect(page.locator("#pending-count")).to_have_text("1")
    expect(page.locator("h1")).to_have_text("Prêter / reprendre")
    context.set_offline(False)
    expect(page.locator("#pending-list li.status-synced")).to_have_count(1, timeout=20_000)
    assert item(live_server.app, later)[0] == "in_use"
    assert item(live_server.app, dropped)[0] == "clean"


def test_collector_collects_and_delivers_with_the_component(page, live_server, boxes, shot):
    codes = boxes(3)
    open_counter(page)
    for code in codes:
        api_scan(page, code, "lend")
        api_scan(page, code, "return")
    page.context.clear_cookies()  # another person, another phone
    open_counter(page, "jura-collecte", "/collector/")
    fits_the_phone(page)

    for code in codes[:2]:
        line = add(page, code)
        expect(line.locator("button[data-action=collect]")).to_have_attribute("aria-pressed",
                                                                               "true")
    # Meanwhile the washing site sorts the first box where it stands: the collect of it is
    # refused, in words, and the other box is recorded all the same.
    site = page.context.browser.new_context(base_url=live_server.url)
    site_page = site.new_page()
    log_in(site_page, "lavage-lons")
    api_scan(site_page, codes[0], "sort")
    site.close()
    expect(page.locator("#order-summary")).to_have_text("2 objets")
    fits_the_phone(page)
    shot("collector-order")
    page.press("#code", "Enter")
    refused = receipt(page, codes[0])
    expect(refused).to_have_attribute("data-status", "refused")
    expect(refused.locator(".receipt-note[role=alert]")).to_contain_text("L'objet")
    collected = receipt(page, codes[1])
    expect(collected).to_have_attribute("data-status", "ok")
    expect(collected.locator(".receipt-title")).to_have_text("✓ Collecté")
    assert item(live_server.app, codes[1]) == ("collected", "jura-collecte")
    no_raw_codes(page.locator("#receipts"))

    # In the van: the proposal is to deliver, to the washing site.
    line = add(page, codes[1])
    expect(line.locator("button[data-action=deliver]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#order-to")).to_have_value("lavage-lons")
    page.press("#code", "Enter")
    expect(receipt(page, codes[1]).locator(".receipt-title")).to_have_text("✓ Livré")
    assert item(live_server.app, codes[1]) == ("collected", "lavage-lons")

    # What the washing site holds is neither collected nor delivered again from the van.
    line = add(page, codes[1], status="impossible")
    expect(line).to_contain_text("Laverie du Jura")
    page.press("#code", "Enter")
    expect(page.locator("#order-note")).to_contain_text("Rien à enregistrer")
    fits_the_phone(page)
    shot("collector-run")


def test_a_link_with_a_code_opens_it_in_the_order(page, boxes):
    """The restaurant's lists link to /restaurant/counter?code=…: one tap records it."""
    [code] = boxes(1)
    open_counter(page)
    page.goto(f"/restaurant/counter?code={code}")
    expect(page.locator(f"#order-lines li[data-code='{code}'] button[data-action=lend]")) \
        .to_have_attribute("aria-pressed", "true")
    assert "code=" not in page.url


def test_english(page, boxes):
    [code] = boxes(1)
    open_counter(page)
    page.goto("/restaurant/counter?lang=en")
    page.locator("#counter[data-ready=true]").wait_for(state="attached")
    expect(page.locator("h1")).to_have_text("Lend / take back")
    add(page, code)
    expect(page.locator("#order-summary")).to_have_text("1 box, €5.00 deposit to take")
    page.press("#code", "Enter")
    expect(receipt(page, code).locator(".receipt-title")).to_have_text(
        "✓ Lent: €5.00 deposit taken")
    screenshot(page, "counter-en")
