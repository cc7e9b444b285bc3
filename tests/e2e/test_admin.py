"""The coordination at phone width: create a member and a user, look at anomalies, audit."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import open_menu

pytestmark = pytest.mark.e2e


def log_in(page, org_code: str) -> None:
    """Log in as a demo organisation through the real form."""
    page.goto("/login")
    page.fill("#email", f"{org_code}@demo.bouteilles.fr")
    page.fill("#password", "tilleul-et-marnes")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, "login failed"


def test_coordinator_creates_a_member_and_a_user(page, shot):
    log_in(page, "coop-jura")
    open_menu(page)
    page.get_by_role("link", name="Coordination").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Coordination — Jura"
    shot("admin-dashboard")

    page.goto("/admin/orgs/new")
    page.fill("#code", "resto-la-marmite")
    page.fill("#name", "La Marmite")
    page.select_option("#kind", "restaurant")
    page.fill("#address", "3 rue du Jura, 39000 Lons-le-Saunier")
    page.fill("#opening_hours", "mar.-sam. 12h-14h")
    page.get_by_role("button", name="Créer").click()
    page.wait_for_load_state()
    assert "Organisation « La Marmite » créée." in page.content()
    shot("admin-org")

    page.get_by_role("link", name="Inviter un utilisateur").last.click()
    page.wait_for_load_state()
    assert page.locator("#org").input_value() == "resto-la-marmite"
    page.fill("#email", "chef@la-marmite.fr")
    page.fill("#name", "Camille")
    page.get_by_role("button", name="Créer le compte").click()
    page.wait_for_load_state()
    password = page.locator("#secret").input_value()
    assert re.fullmatch(r"[A-Za-z0-9]{14}", password)
    shot("admin-user-created")

    # The demo network is shared by every browser test: take the new member out again.
    page.goto("/admin/orgs/resto-la-marmite")
    page.get_by_role("button", name="Désactiver l'organisation").click()
    page.wait_for_load_state()
    assert "Organisation désactivée." in page.content()


@pytest.fixture
def skipped_lend(live_server, boxes) -> str:
    """A box returned at the counter although its lend was never scanned."""
    from sqlalchemy import select

    from bouteilles.db.database import get_session
    from bouteilles.models import User
    from bouteilles.services.movements import record_scan

    code = boxes(1)[0]
    with live_server.app.app_context():
        session = get_session()
        resto = session.scalar(select(User).where(
            User.email == "resto-le-comptoir@demo.bouteilles.fr"))
        record_scan(session, actor=resto, code=code, action="return")
        session.commit()
    return code


def test_coordinator_looks_at_anomalies_and_filters_the_audit(page, shot, skipped_lend):
    log_in(page, "coop-jura")
    page.goto("/admin/anomalies?view=events")
    assert page.get_by_role("heading", level=1).inner_text() == "Anomalies"
    shot("admin-anomalies")
    row = page.locator("ul.events li", has_text=skipped_lend)
    assert "prêt non scanné" in row.inner_text()  # the anomaly in words, not its code
    assert "skipped_lend" not in row.inner_text()
    first_code = skipped_lend

    page.goto("/admin/audit")
    page.fill("#f-code", first_code)
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    # The check character may be one a form escapes ('$', '=', …): compare decoded.
    assert parse_qs(urlsplit(page.url).query)["code"] == [first_code]
    events = page.locator("ul.events li")
    assert events.count() >= 1
    for i in range(events.count()):
        assert first_code in events.nth(i).inner_text()
    assert events.count() == 2  # commissioned, then returned
    page.select_option("#f-action", "return")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert "action=return" in page.url
    assert page.locator("ul.events li").count() == 1
    shot("admin-audit")
    # Nothing overflows sideways at phone width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
