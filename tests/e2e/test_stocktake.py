"""A stock count (inventaire) at phone width: pick a type, type two codes, finish,
read the report."""

import re

import pytest

from .conftest import log_in, open_menu, screenshot

pytestmark = pytest.mark.e2e


def test_count_two_codes_and_read_the_report(page, boxes):
    held = boxes(2, holder="lavage-lons", type_code="clavelin-62")
    elsewhere = boxes(1, holder="resto-le-comptoir", type_code="clavelin-62")
    codes = [held[0], elsewhere[0]]
    log_in(page, "lavage-lons")
    open_menu(page)
    page.get_by_role("link", name="Inventaire", exact=True).click()
    page.get_by_role("link", name="Nouvel inventaire").click()
    page.select_option("#type", "clavelin-62")
    for code in codes:
        page.fill("#code", code)
        page.get_by_role("button", name="Ajouter").click()
    assert page.inner_text("#tally") == "2 codes comptés"
    assert page.input_value("#codes").split() == codes
    screenshot(page, "stocktake-count")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Terminer l'inventaire").click()
    assert re.search(r"/stocktakes/\d+$", page.url)
    tiles = page.inner_text("ul.tiles")
    assert re.search(r"1\s+trouvés", tiles) and re.search(r"1\s+inattendus", tiles)
    lines = page.inner_text("#lines")
    assert held[1] in lines and elsewhere[0] in lines and "amené ici" in lines
    screenshot(page, "stocktake-report")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
