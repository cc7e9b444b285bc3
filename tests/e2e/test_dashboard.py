"""Impact dashboards at phone width: the coordination's network and a restaurant's own."""

from __future__ import annotations

import pytest

from .conftest import log_in, open_menu

pytestmark = pytest.mark.e2e


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"


def test_coordinator_dashboard(page, shot):
    log_in(page, "coop-jura")
    open_menu(page)
    page.get_by_role("link", name="Impact").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard")
    chart = page.get_by_role("img", name="CO₂e évité par mois, en kg, sur douze mois")
    assert chart.is_visible()
    assert page.locator("svg.chart rect").count() == 12
    tiles = page.locator(".figures li").all_inner_texts()
    assert any("contenants réemployés" in t for t in tiles)
    assert any("taux de rebut" in t for t in tiles)
    # The Jura's coordination downloads its territory's report and export.
    assert page.locator("a[href*='.pdf?territory=jura']").count() == 1
    assert page.locator("a[href*='.jsonld?territory=jura']").count() == 1
    _fits_the_phone(page)
    shot("dashboard-coordinator")
    with page.expect_download() as info:
        page.locator("a[href*='.csv?territory=jura']").click()
    assert info.value.suggested_filename.startswith("impact-")
    page.get_by_role("link", name="Jeux de facteurs d'impact").click()
    page.wait_for_load_state()
    assert "fr-2026-1" in page.content()
    shot("dashboard-factor-sets")


def test_restaurant_dashboard(page, shot):
    log_in(page, "resto-le-comptoir")
    page.goto("/dashboard")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Impact")
    assert "Le Comptoir" in page.content()
    tiles = page.locator(".figures li").all_inner_texts()
    assert any("contenants rendus" in t for t in tiles)
    assert page.locator("svg.chart rect").count() == 12
    _fits_the_phone(page)
    shot("dashboard-member")
