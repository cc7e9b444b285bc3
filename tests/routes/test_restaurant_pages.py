"""Restaurant pages through the test client: piles, the counter, cash, settlements."""

import json
import re
from datetime import timedelta

import pytest

from bouteilles.db.database import get_session
from bouteilles.models import utcnow


@pytest.fixture
def resto(actors, login):
    user = actors["restaurant"]
    return user


def test_overview_counts_piles_and_overdue(client, session, resto, login, make_container, scan):
    codes = [make_container(holder=resto.org) for _ in range(4)]
    scan(resto, codes[0], "lend", occurred_at=utcnow() - timedelta(days=20))
    scan(resto, codes[1], "lend")
    scan(resto, codes[2], "lend")
    scan(resto, codes[2], "return")
    get_session().commit()
    login(resto)
    page = client.get("/restaurant/")
    assert page.status_code == 200
    text = page.text
    assert "dont 1 en retard" in text
    assert "Caisse du jour" in text
    # Today's cash: 2 lends today (the 20-day-old one is not today), 1 refund.
    assert "10,00\u00a0€" in text and "5,00\u00a0€" in text


def test_in_use_list_highlights_overdue_and_paginates(client, resto, login, make_container, scan):
    old = make_container(holder=resto.org)
    scan(resto, old, "lend", occurred_at=utcnow() - timedelta(days=30))
    for _ in range(21):
        scan(resto, make_container(holder=resto.org), "lend")
    get_session().commit()
    login(resto)
    first = client.get("/restaurant/boxes/in_use")
    assert first.status_code == 200
    assert old in first.text and "En retard" in first.text and "Page 1 sur 2" in first.text
    second = client.get("/restaurant/boxes/in_use?page=2")
    assert old not in second.text and "Page 2 sur 2" in second.text
    only = client.get("/restaurant/boxes/in_use?overdue=1")
    assert old in only.text and "1 boîte<" in only.text
    assert client.get("/restaurant/boxes/in_use?page=abc").status_code == 200
    assert client.get("/restaurant/boxes/lost").status_code == 404


def page_config(html: str, script_id: str = "counter-config") -> dict:
    """The JSON a page gives its scripts (`<script type="application/json" id=…>`)."""
    found = re.search(rf'<script type="application/json" id="{script_id}">(.*?)</script>', html,
                      re.S)
    assert found, f"no #{script_id} in the page"
    return json.loads(found[1])


def test_counter_page_carries_the_components_config(client, resto, login):
    get_session().commit()
    login(resto)
    page = client.get("/restaurant/counter")
    assert page.status_code == 200
    # Member data: never stored by the browser (the service worker keeps its own copy).
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.text.count("<h1") == 1 and 'id="counter"' in page.text
    assert 'data-api="/api/v1"' in page.text and 'data-sw-url="/sw.js"' in page.text
    config = page_config(page.text)
    assert config["org"]["code"] == resto.org.code
    assert config["actions"] == ["lend", "return"]
    # The proposal by state is the life cycle's (lifecycle.SUGGESTED), nothing else.
    assert config["suggested"] == {"clean": "lend", "in_use": "return", "lost": "return"}
    assert config["deposit_moves"]["lend"]["clean"] == ["taken"]
    assert config["deposit_moves"]["return"]["in_use"] == ["refunded"]
    assert "in_use" not in config["deposit_moves"]["lend"]  # refused: not a move
    assert config["needs_destination"] == []
    assert config["undo_minutes"] == 15
    assert config["usual_deposit_cents"] == 500  # both box types: 5 €
    assert config["noun"] == "box"
    # Every word the page shows for a code, in the reader's language.
    labels = config["labels"]
    assert labels["actions"]["lend"] == "Prêter" and labels["done"]["return"] == "Repris"
    assert labels["states"]["in_use"] == "en service"
    assert labels["anomalies"]["skipped_lend"] == "prêt non scanné"
    texts = page_config(page.text, "scan-i18n")
    assert isinstance(texts, dict)


def test_counter_config_follows_settings_and_language(client, resto, login):
    get_session().commit()
    login(resto)
    client.application.config["UNDO_MINUTES"] = 5
    config = page_config(client.get("/restaurant/counter?lang=en").text)
    assert config["undo_minutes"] == 5
    assert config["labels"]["actions"]["lend"] == "Lend"
    assert config["labels"]["done"]["lend"] == "Lent"
    english = page_config(client.get("/restaurant/counter").text, "scan-i18n")
    assert english["Annulé"] == "Undone"
    assert english["%(amount)s de consigne à encaisser"] == "%(amount)s deposit to take"


def test_counter_without_javascript_keeps_its_plain_form(client, resto, login):
    get_session().commit()
    login(resto)
    page = client.get("/restaurant/counter").text
    noscript = page[page.index("<noscript>"):page.index("</noscript>")]
    assert 'action="/restaurant/counter"' in noscript and 'name="action" value="lend"' in noscript


def test_counter_lends_and_takes_back(client, resto, login, make_container):
    code = make_container(holder=resto.org)
    get_session().commit()
    login(resto)
    lent = client.post("/restaurant/counter", data={"code": code, "action": "lend", "key": "k-1"})
    assert lent.status_code == 302
    shown = client.get(lent.headers["Location"])
    assert "Prêtée" in shown.text and "Consigne encaissée : 5,00\u00a0€" in shown.text
    # A double tap replays the same key: same answer, nothing recorded twice.
    again = client.post("/restaurant/counter", data={"code": code, "action": "lend", "key": "k-1"})
    assert again.status_code == 302
    back = client.post("/restaurant/counter", data={"code": code, "action": "return", "key": "k-2"})
    shown = client.get(back.headers["Location"])
    assert "Reprise" in shown.text and "Consigne à rembourser : 5,00\u00a0€" in shown.text
    cash = client.get("/restaurant/cash")
    assert "(1)" in cash.text


def test_counter_refusals_keep_the_code(client, resto, login, make_container):
    code = make_container(holder=resto.org)
    get_session().commit()
    login(resto)
    refused = client.post("/restaurant/counter", data={"code": code, "action": "return"})
    assert refused.status_code == 200 or refused.status_code == 302  # skipped lend: accepted
    again = client.post("/restaurant/counter", data={"code": code, "action": "return"})
    assert again.status_code == 422 and code in again.text and "déjà été rendu" in again.text
    typo = client.post("/restaurant/counter", data={"code": "ABCD-EFGH-Z", "action": "lend"})
    assert typo.status_code == 422 and "ABCD-EFGH-Z" in typo.text and "Code invalide" in typo.text
    empty = client.post("/restaurant/counter", data={"code": "", "action": "lend"})
    assert empty.status_code == 422
    odd = client.post("/restaurant/counter", data={"code": code, "action": "wash"})
    assert odd.status_code == 422 and code in odd.text


def test_counter_link_from_scanner_suggests_the_action(client, resto, login, make_container):
    code = make_container(holder=resto.org)
    get_session().commit()
    login(resto)
    page = client.get(f"/restaurant/counter?code={code}")
    assert page.status_code == 200 and "propre" in page.text and f'value="{code}"' in page.text
    bad = client.get("/restaurant/counter?code=nonsense")
    assert bad.status_code == 200 and "Code invalide" in bad.text


def test_result_of_another_org_is_not_shown(client, make_user, resto, login, make_container):
    other = make_user("restaurant")
    code = make_container(holder=resto.org)
    get_session().commit()
    login(resto)
    client.post("/restaurant/counter", data={"code": code, "action": "lend", "key": "mine"})
    assert code in client.get("/restaurant/counter?result=mine").text
    client.post("/logout")
    login(other)
    page = client.get("/restaurant/counter?result=mine")
    assert page.status_code == 200 and code not in page.text


def test_cash_of_another_day_and_bad_day(client, resto, login):
    get_session().commit()
    login(resto)
    assert client.get("/restaurant/cash?day=2026-01-15").status_code == 200
    bad = client.get("/restaurant/cash?day=15/01")
    assert bad.status_code == 422 and "15/01" in bad.text


def test_settlements_visible_to_both_sides(client, session, actors, make_user, login,
                                           make_container, scan):
    lender = actors["restaurant"]
    refunder = make_user("restaurant")
    code = make_container(holder=lender.org)
    scan(lender, code, "lend")
    scan(refunder, code, "return")
    get_session().commit()
    for user, who in ((lender, refunder.org.name), (refunder, lender.org.name)):
        login(user)
        page = client.get("/restaurant/settlements")
        assert page.status_code == 200 and who in page.text and "5,00\u00a0€" in page.text
        client.post("/logout")
    login(lender)
    bad = client.get("/restaurant/settlements?month=2026-13")
    assert bad.status_code == 422 and "2026-13" in bad.text


@pytest.mark.parametrize("kind", ["washing_site", "collector", "winegrower", "coordinator",
                                  "event_organiser", "collection_point"])
def test_other_roles_are_refused(client, actors, login, kind):
    user = actors[kind]
    get_session().commit()
    login(user)
    for path in ("/restaurant/", "/restaurant/counter", "/restaurant/boxes/clean",
                 "/restaurant/cash", "/restaurant/settlements"):
        assert client.get(path).status_code == 403
    assert client.post("/restaurant/counter", data={"code": "x", "action": "lend"}).status_code \
        == 403


def test_english(client, resto, login):
    get_session().commit()
    login(resto)
    client.get("/lang/en")
    page = client.get("/restaurant/")
    assert "Lend / take back a box" in page.text and "Today&#39;s cash" in page.text


def test_the_counter_leads_to_a_broken_box_and_to_counted_returns(client, resto, login):
    login(resto)
    page = client.get("/restaurant/counter").get_data(as_text=True)
    assert 'href="/scan"' in page and "cassée" in page
    assert 'href="/restaurant/counted-returns"' in page
