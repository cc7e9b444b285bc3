"""The top bar on a phone: a "Menu" button that unfolds the role's links, the
account's pages, the language and logging out; with or without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, log_in, screenshot

pytestmark = pytest.mark.e2e


def menu_state(page) -> bool | None:
    """Whether the browser tells assistive technologies that "Menu" is expanded."""
    cdp = page.context.new_cdp_session(page)
    try:
        for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
            if node.get("name", {}).get("value") == "Menu" and not node.get("ignored"):
                for prop in node.get("properties", []):
                    if prop["name"] == "expanded":
                        return prop["value"]["value"]
        return None
    finally:
        cdp.detach()


def test_the_phone_menu_folds_and_unfolds(page):
    log_in(page, "resto-le-comptoir")
    header = page.locator("header")
    menu = header.locator("details.menu")
    summary = menu.locator("summary")
    # Closed: the bar fits the screen, its links are folded away.
    expect(summary).to_be_visible()
    expect(summary).to_have_text("Menu")
    assert summary.bounding_box()["height"] >= 44
    expect(header.locator("nav.bar")).to_be_hidden()
    expect(menu.get_by_role("link", name="Mon restaurant")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert menu_state(page) is False
    screenshot(page, "menu-closed")

    summary.click()
    assert menu_state(page) is True
    for name in ("Accueil", "Scanner", "Mon restaurant", "Prêts de vaisselle", "Impact",
                 "Mon compte", "Mot de passe", "Jetons d'API", "English"):
        link = menu.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
    logout = menu.get_by_role("button", name="Déconnexion")
    expect(logout).to_be_visible()
    assert logout.bounding_box()["height"] >= 44
    expect(menu.get_by_role("link", name="Accueil")).to_have_attribute("aria-current", "page")
    screenshot(page, "menu-open")

    # Two taps to the password: Menu, then Mot de passe.
    menu.get_by_role("link", name="Mot de passe").click()
    page.wait_for_load_state()
    assert page.url.endswith("/account/password")
    expect(page.locator("details.menu")).not_to_have_attribute("open", "")

    summary = page.locator("header details.menu > summary")
    summary.click()
    page.locator("header details.menu").get_by_role("button", name="Déconnexion").click()
    page.wait_for_load_state()
    assert "/login" in page.url


def test_a_collector_sees_no_api_tokens(page):
    log_in(page, "jura-collecte")
    page.locator("header details.menu > summary").click()
    menu = page.locator("header details.menu")
    expect(menu.get_by_role("link", name="Mot de passe")).to_be_visible()
    expect(menu.get_by_role("link", name="Jetons d'API")).to_have_count(0)


def test_the_menu_opens_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True,
                                  has_touch=True, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "lavage-lons")
        page.locator("header details.menu > summary").click()
        link = page.locator("header details.menu").get_by_role("link", name="Lavage", exact=True)
        expect(link).to_be_visible()
        link.click()
        page.wait_for_load_state()
        assert page.url.endswith("/washing/")
    finally:
        context.close()


def test_wide_screens_keep_the_whole_bar(browser, live_server):
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, "coop-jura")
        bar = page.locator("header nav.bar")
        expect(page.locator("header details.menu")).to_be_hidden()
        for name in ("Coordination", "Impact", "Mon compte", "English"):
            expect(bar.get_by_role("link", name=name, exact=True)).to_be_visible()
        expect(bar.get_by_role("button", name="Déconnexion")).to_be_visible()
        # Two clicks to the password: Mon compte, then the link on that page.
        bar.get_by_role("link", name="Mon compte").click()
        page.get_by_role("link", name="Changer mon mot de passe").click()
        page.wait_for_load_state()
        assert page.url.endswith("/account/password")
    finally:
        context.close()
