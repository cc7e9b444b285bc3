"""The phone scanner in a real (headless) Chromium: typed code, camera, offline queue."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.e2e


def events_for(app, codes: list[str]):
    from bouteilles.db.database import get_session
    from bouteilles.models import Event

    with app.app_context():
        rows = get_session().scalars(
            select(Event).where(Event.code.in_(codes)).order_by(Event.id)
        ).all()
        return [(e.code, e.action, e.occurred_at, e.recorded_at) for e in rows]


def item_state(app, code: str) -> str:
    from bouteilles.db.database import get_session
    from bouteilles.services.items.lookup import get_item

    with app.app_context():
        return get_item(get_session(), code).state


def type_code(page, code: str) -> None:
    page.fill("#code", code)
    page.press("#code", "Enter")


def wait_service_worker(page) -> None:
    """Wait until the service worker controls the page (so it has the offline shell)."""
    # (page.evaluate, not wait_for_function: the app's CSP forbids string eval)
    assert page.evaluate("""() => navigator.serviceWorker.controller ? true : new Promise(
        (resolve) => navigator.serviceWorker.addEventListener(
            "controllerchange", () => resolve(true)))""")


def test_typed_code_then_lend(page, live_server, boxes, open_scanner, shot):
    [code] = boxes(1)
    open_scanner()
    expect(page.locator("#result")).to_have_attribute("aria-live", "polite")
    shot("scan-page")

    type_code(page, code.lower())  # typed codes are forgiving about case
    card = page.locator("#result.result-item")
    expect(card).to_be_visible()
    expect(card).to_contain_text("propre")
    expect(card).to_contain_text("Le Comptoir")
    primary = card.locator("button.button-primary[data-action=lend]")
    expect(primary).to_be_visible()
    expect(primary).to_be_focused()  # one tap, or Enter from a keyboard scanner
    shot("scan-item")

    primary.click()
    done = page.locator("#result.result-ok")
    expect(done).to_be_visible()
    expect(done).to_contain_text("Prêté")
    expect(done).to_contain_text("en service")  # the state's name, from the vocabulary
    expect(done).to_contain_text("Consigne encaissée")
    shot("scan-result")
    assert item_state(live_server.app, code) == "in_use"

    # The same box again: now the big button takes it back.
    type_code(page, code)
    expect(page.locator("#result.result-item button.button-primary")).to_have_attribute(
        "data-action", "return")


def test_scan_link_opens_the_item(page, boxes, open_scanner):
    """/scan?code=… (how a member's phone goes from a label's page to the actions)."""
    [code] = boxes(1)
    open_scanner()
    page.goto(f"/scan?code={code}")
    expect(page.locator("#result.result-item button.button-primary")).to_have_attribute(
        "data-action", "lend")
    assert "code=" not in page.url


def test_mistyped_code_is_refused_on_the_phone(page, boxes, open_scanner):
    [code] = boxes(1)
    wrong = code[:3] + ("0" if code[3] != "0" else "1") + code[4:]
    open_scanner()
    type_code(page, wrong)
    expect(page.locator("#code-error")).to_be_visible()
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#result")).to_be_hidden()


def test_refusals_say_what_the_record_shows(page, boxes, open_scanner, shot):
    from bouteilles.services.items.codes import new_code

    [code] = boxes(1)
    open_scanner()
    # A well-formed code that is not in service: a clear card, not an error dump.
    type_code(page, new_code())
    refused = page.locator("#result.result-refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("Code inconnu")
    expect(refused.locator("[role=alert]")).to_contain_text("Vérifiez l'étiquette")

    # Lending a box that is already out: the server refuses and says why.
    answer = page.request.post("/api/v1/scans", data={
        "code": code, "action": "lend", "idempotency_key": f"first-{code}"})
    assert answer.status == 201
    page.click("label[for=mode-series]")
    page.select_option("#series-action", "lend")
    type_code(page, code)
    row = page.locator("#series-log li.status-refused")
    expect(row).to_have_count(1)
    expect(row.locator(".scan-message")).to_contain_text("chez un client")
    expect(page.locator("#series-count")).to_have_text("0")
    shot("scan-refused")


def test_new_label_is_commissioned_by_its_first_scan(page, live_server, open_scanner):
    from bouteilles.db.database import get_session
    from bouteilles.services.items.lookup import get_type
    from bouteilles.services.movements import mint_codes

    with live_server.app.app_context():
        session = get_session()
        [code] = mint_codes(session, 1, get_type(session, "bocal-500"))
        session.commit()
    open_scanner("lavage-lons")
    type_code(page, code)
    card = page.locator("#result.result-refused")
    expect(card).to_contain_text("Code inconnu")
    card.locator("button[data-action=commission]").click()
    expect(page.locator("#result.result-ok")).to_contain_text("Mis en service")
    assert item_state(live_server.app, code) == "clean"


def test_camera_scan(page, live_server, camera_code, open_scanner, shot):
    open_scanner()
    page.click("#camera-toggle")
    expect(page.locator("html[data-camera=ready]")).to_be_attached()
    # Debian's Chromium has no BarcodeDetector on Linux: the vendored decoder runs.
    decoder = page.locator("html").get_attribute("data-decoder")
    assert decoder in ("qr-scanner", "native")
    card = page.locator("#result.result-item")
    expect(card).to_be_visible(timeout=20_000)
    expect(card).to_contain_text(camera_code[:4])
    shot("scan-camera")
    card.locator("button[data-action=lend]").click()
    expect(page.locator("#result.result-ok")).to_be_visible()
    assert item_state(live_server.app, camera_code) == "in_use"
    page.click("#camera-toggle")
    expect(page.locator("#camera-view")).to_be_hidden()


def test_offline_scans_replay_once_with_their_own_time(page, context, live_server, boxes,
                                                       open_scanner, shot):
    codes = boxes(3)
    open_scanner()
    wait_service_worker(page)

    context.set_offline(True)
    expect(page.locator("#net-status")).to_have_text("Hors ligne")
    for code in codes:
        type_code(page, code)
        offline_card = page.locator("#result.result-offline")
        expect(offline_card).to_be_visible()
        offline_card.locator("button[data-action=lend]").click()
        expect(page.locator("#result.result-queued")).to_be_visible()
        time.sleep(0.3)  # distinct scan times
    expect(page.locator("#pending-count")).to_have_text("3")
    rows = page.locator("#pending-list li.status-pending")
    expect(rows).to_have_count(3)
    scanned_at = {
        row.get_attribute("data-code"): row.locator("time").get_attribute("datetime")
        for row in rows.all()
    }
    assert set(scanned_at) == set(codes)
    shot("scan-offline-pending")

    # The page itself comes back without network (service worker), queue intact.
    page.reload()
    expect(page.locator("#scanner[data-ready=true]")).to_be_attached()
    expect(page.locator("#pending-count")).to_have_text("3")
    assert all(action == "commission" for _, action, *_ in events_for(live_server.app, codes))

    time.sleep(2)  # the sync happens visibly later than the scans
    back_online = datetime.now(UTC)
    context.set_offline(False)
    expect(page.locator("#pending-list li.status-synced")).to_have_count(3, timeout=20_000)
    expect(page.locator("#pending-toggle")).to_be_hidden()
    shot("scan-offline-synced")

    lends = [e for e in events_for(live_server.app, codes) if e[1] != "commission"]
    assert len(lends) == 3, lends
    assert sorted(code for code, *_ in lends) == sorted(codes)
    for code, action, occurred_at, recorded_at in lends:
        assert action == "lend"
        browser_time = datetime.fromisoformat(scanned_at[code])
        assert abs(occurred_at - browser_time) < timedelta(milliseconds=2)
        assert occurred_at < back_online <= recorded_at + timedelta(seconds=1)
        assert recorded_at - occurred_at > timedelta(seconds=2)
        assert item_state(live_server.app, code) == "in_use"

    # Replaying again changes nothing (the server answers each key once).
    page.evaluate("window.dispatchEvent(new Event('online'))")
    time.sleep(0.5)
    assert len([e for e in events_for(live_server.app, codes) if e[1] != "commission"]) == 3


def test_refusal_found_on_replay_stays_visible(page, context, boxes, open_scanner, shot):
    [code] = boxes(1)
    open_scanner()
    answer = page.request.post("/api/v1/scans", data={
        "code": code, "action": "lend", "idempotency_key": f"first-{code}"})
    assert answer.status == 201

    context.set_offline(True)
    type_code(page, code)
    page.locator("#result.result-offline button[data-action=lend]").click()
    expect(page.locator("#pending-count")).to_have_text("1")
    context.set_offline(False)

    refused = page.locator("#pending-list li.status-refused")
    expect(refused).to_have_count(1, timeout=20_000)
    expect(refused).to_contain_text("refusé à l'envoi")
    expect(refused.locator(".scan-message")).not_to_be_empty()
    shot("scan-offline-refused")
    # It stays after a reload, until the person says they have seen it.
    page.reload()
    expect(page.locator("#pending-list li.status-refused")).to_have_count(1)
    page.locator("#pending-list li.status-refused button").click()
    expect(page.locator("#pending-list li.status-refused")).to_have_count(0)


def test_series_mode_counts_and_skips_repeats(page, live_server, boxes, open_scanner, shot):
    codes = boxes(2)
    open_scanner()
    page.click("label[for=mode-series]")
    page.select_option("#series-action", "lend")
    for code in codes:
        type_code(page, code)
    expect(page.locator("#series-count")).to_have_text("2")
    type_code(page, codes[0])
    expect(page.locator("#series-log li").first).to_contain_text("déjà compté")
    expect(page.locator("#series-count")).to_have_text("2")
    expect(page.locator("#series-log li.status-ok")).to_have_count(2)
    shot("scan-series")
    for code in codes:
        assert item_state(live_server.app, code) == "in_use"


def test_series_starts_anew_when_the_action_changes(page, live_server, boxes, open_scanner,
                                                      shot):
    """A box collected a moment ago is sorted next: the new action is a new series, so it
    is not refused as "already counted"."""
    codes = boxes(2)
    open_scanner()
    for code in codes:  # lent and brought back at the restaurant
        for action in ("lend", "return"):
            answer = page.request.post("/api/v1/scans", data={
                "code": code, "action": action, "idempotency_key": f"{action}-{code}"})
            assert answer.status == 201
    page.context.clear_cookies()
    from .test_counter import fits_the_phone

    open_scanner("lavage-lons")
    expect(page.locator("h1")).to_have_text("Scanner")
    fits_the_phone(page)  # one h1, 390 px wide, buttons 44 px tall at least
    page.click("label[for=mode-series]")
    page.select_option("#series-action", "collect")
    expect(page.locator("#series-note")).to_contain_text("Nouvelle série : Collecter")
    for code in codes:
        type_code(page, code)
    expect(page.locator("#series-count")).to_have_text("2")
    assert {item_state(live_server.app, code) for code in codes} == {"collected"}

    page.select_option("#series-action", "sort")
    expect(page.locator("#series-count")).to_have_text("0")
    expect(page.locator("#series-log li")).to_have_count(0)
    expect(page.locator("#series-note")).to_have_text(
        "Nouvelle série : Trier. Les codes déjà comptés peuvent être scannés à nouveau.")
    for code in codes:
        type_code(page, code)
    expect(page.locator("#series-count")).to_have_text("2")
    expect(page.locator("#series-log li.status-ok")).to_have_count(2)
    expect(page.locator("#series-log")).not_to_contain_text("déjà compté")
    fits_the_phone(page)
    shot("scan-series-new-action")
    assert {item_state(live_server.app, code) for code in codes} == {"sorted"}
    # The same action again in this series: each code still counts once.
    type_code(page, codes[0])
    expect(page.locator("#series-log li").first).to_contain_text("déjà compté")
    expect(page.locator("#series-count")).to_have_text("2")


def test_english(page, open_scanner, shot):
    """The page and its scripts speak English (tests/test_translations.py checks that
    every text has its English)."""
    open_scanner()
    page.goto("/scan?lang=en")
    expect(page.locator("#camera-toggle")).to_have_text("Scan with the camera")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#code", "ABCD")  # the script's own refusal, from the page's catalogue
    page.press("#code", "Enter")
    expect(page.locator("#code-error")).to_have_text(
        "A code has 9 characters (hyphens do not count).")
    shot("scan-page-en")
