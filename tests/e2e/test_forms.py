"""A refused form in a real browser at phone width: every fault next to its field."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_refused_form_shows_each_fault_next_to_its_field(page, shot):
    log_in(page, "coop-jura")
    page.goto("/admin/orgs/new")
    assert page.get_attribute("#name", "maxlength") == "200"
    page.fill("#code", "La Marmite")
    page.fill("#address", "3 rue du Jura, 39000 Lons-le-Saunier")
    page.get_by_role("button", name="Créer").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("Corrigez les champs signalés")
    expect(page.locator("#code-error")).to_contain_text("Code invalide")
    expect(page.locator("#name-error")).to_contain_text("obligatoire")
    for field in ("#code", "#name"):
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#code")).to_have_value("La Marmite")
    expect(page.locator("#address")).to_have_value("3 rue du Jura, 39000 Lons-le-Saunier")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("forms-org-refused")


def test_a_refused_batch_close_keeps_what_was_typed(page, shot):
    log_in(page, "lavage-lons")
    page.goto("/washing/batches")
    page.select_option("#open-type", "bouteille-75")
    page.get_by_role("button", name="Ouvrir le lot").click()
    page.fill("#clean", "-5")
    page.fill("#water_l", "350,5")
    page.fill("#km_0", "douze")
    page.get_by_role("button", name="Clôturer et calculer l'impact").click()
    page.wait_for_load_state()
    expect(page.locator("#clean-error")).to_contain_text("Un nombre de 0 à")
    expect(page.locator("#km_0-error")).to_contain_text("Un nombre")
    expect(page.locator("#water_l")).to_have_value("350,5")
    expect(page.locator("#water_l")).not_to_have_attribute("aria-invalid", "true")
    shot("forms-batch-close-refused")
