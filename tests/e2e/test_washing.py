"""The washing site and a winegrower in a real browser, at phone width."""

import re

import pytest

from .conftest import log_in, open_menu, screenshot

pytestmark = pytest.mark.e2e


def test_open_fill_close_a_batch_and_see_its_impact(page):
    log_in(page, "lavage-lons")
    open_menu(page)
    page.get_by_role("link", name="Lavage", exact=True).click()
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
    open_menu(page)
    page.get_by_role("link", name="Mes bouteilles", exact=True).click()
    page.fill("#req-quantity", "120")
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "120" in page.inner_text("main")
    page.locator(".subnav").get_by_role("link", name="Bouteilles").click()
    assert page.locator("#available").count() == 1
    screenshot(page, "winegrower-stock")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_list_with_codes_of_another_size_keeps_the_rest(page, boxes):
    good = boxes(2, holder="lavage-lons", type_code="bocal-500")
    larger = boxes(1, holder="lavage-lons", type_code="bocal-750")
    log_in(page, "lavage-lons")
    page.goto("/washing/batches")
    page.select_option("#open-type", "bocal-500")
    page.get_by_role("button", name="Ouvrir le lot").click()
    page.fill("#in-codes", "\n".join([good[0], larger[0], good[1]]))
    page.get_by_role("button", name="Ajouter au lot").click()
    outcomes = page.locator("#input-outcomes li")
    assert outcomes.count() == 3
    refused = page.locator("#input-outcomes li.refused")
    assert refused.count() == 1 and larger[0] in refused.inner_text()
    assert "750" in refused.inner_text()
    assert page.locator("#input-outcomes li.accepted").count() == 2
    assert "1 code refusé" in page.inner_text("#form-error")
    assert page.input_value("#in-codes").split() == larger  # left to deal with
    assert page.inner_text("#batch-inputs").startswith("2")
    screenshot(page, "washing-inputs-refused")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The demo's box batches are small: 2 + 500 inputs is far above the usual one.
    page.fill("#in-codes", "")
    page.fill("#in-count", "500")
    page.get_by_role("button", name="Ajouter au lot").click()
    assert page.locator("#unusual").is_visible()
    # The running total follows what is typed, before anything is sent.
    page.fill("#clean", "490")
    page.fill("#reject_broken", "2")
    assert page.inner_text("#balance-total") == "492"
    assert page.inner_text("#balance-state") == "Il en manque 10."
    page.fill("#reject_chipped", "10")
    assert page.inner_text("#balance-state") == "Le compte est juste."
    page.get_by_role("button", name="Clôturer et calculer l'impact").click()
    assert "Je confirme" in page.inner_text("#confirm_unusual-error")
    assert page.input_value("#clean") == "490"
    page.check("#confirm_unusual")
    page.get_by_role("button", name="Clôturer et calculer l'impact").click()
    assert "490" in page.inner_text("#impact")
    # Corrected the same day: 5 of the clean ones were chipped.
    page.fill("#fix-clean", "485")
    page.fill("#fix-reject_chipped", "15")
    page.fill("#fix-reason", "5 ébréchées vues au rangement")
    page.get_by_role("button", name="Corriger", exact=True).click()
    assert "490 → 485" in page.inner_text("#corrections")
    assert "5 ébréchées vues au rangement" in page.inner_text("#corrections")
    assert "485" in page.inner_text("#impact")
    screenshot(page, "washing-batch-corrected")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
