"""The scanner as a phone app: Chromium finds it installable, and it opens offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_scanner_installs_and_opens_without_network(profile_scanner):
    page = profile_scanner
    # (page.evaluate, not wait_for_function: the app's CSP forbids string eval)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith(".webmanifest")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    # Launched from the home screen with no signal: the start URL from the cache.
    page.context.set_offline(True)
    no_network = "() => fetch('/api/v1/health').then(() => 'answered', () => 'no network')"
    assert page.evaluate(no_network) == "no network"
    page.goto("/scan")
    expect(page.locator("#scanner[data-ready=true]")).to_be_attached()  # its modules ran
    assert page.evaluate(no_network) == "no network"
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].deliveryType"
                         ) == "cache-storage"  # the service worker's copy
    assert page.evaluate("() => getComputedStyle(document.body).margin") == "0px"  # app.css
