"""The washing site and a winegrower in a real browser, at phone width."""

import re

import pytest

from .conftest import log_in, screenshot

pytestmark = pytest.mark.e2e


def test_open_fill_close_a_batch_and_see_its_impact(page):
    log_in(page, "lavage-lons")
    page.click("nav >> text=Lavage")
    page.get_by_role("link", name="Lots", exact=True).first.click()
    page.select_option("#open-type", "bouteille-75")
    page.get_by_role("button", name="Ouvrir le lot").click()
    assert re.search(r"/washing/batches/\d+$", page.url)
    page.fill("#in-count", "500")
    page.get_by_role("button", name="Ajouter au lot").click()
    assert "500" in page.inner_text("#batch-inputs")
    # A wrong balance is refused and what was typed stays.
    page.fill("#clean", "470")
    page.fill("#reject_broken", "12")
    page.fill("#reject_chipped", "8")
    page.fill("#km_0", "40")
    page.get_by_role("button", name="Clôturer et calculer l'impact").click()
    assert "ne tombe pas juste" in page.inner_text("#form-error")
    assert page.input_value("#clean") == "470" and page.input_value("#km_0") == "40"
    page.fill("#clean", "480")
    page.get_by_role("button", name="Clôturer et calculer l'impact").click()
    impact = page.inner_text("#impact")
    # 480 × 560 g × 0.70 − 480 × 35.49 g − 40 km × 269.45 g = 160 262.8 g; 268 800 g of waste
    assert "160\u202fkg" in impact and "269\u202fkg" in impact
    assert "fr-2026-1" in page.content()
    rejects = page.inner_text("#rejects")
    assert "cassé" in rejects and "12" in rejects
    page.fill("#size", "200")
    page.get_by_role("button", name="Créer les caisses").click()
    assert page.locator("#outputs tbody tr").count() == 3
    screenshot(page, "washing-batch")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_winegrower_stock_page(page):
    log_in(page, "domaine-des-marnes")
    page.click("nav >> text=Mes bouteilles")
    page.fill("#req-quantity", "120")
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "120" in page.inner_text("main")
    page.locator(".subnav").get_by_role("link", name="Bouteilles").click()
    assert page.locator("#available").count() == 1
    screenshot(page, "winegrower-stock")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
