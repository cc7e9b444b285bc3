"""Winegrowers' pages through the client: stock, requests, fills, history, access."""

from zoneinfo import ZoneInfo

import pytest

from bouteilles.db.database import get_session
from bouteilles.models import BottleRequest


@pytest.fixture
def grower(actors, login):
    return login(actors["winegrower"])


@pytest.mark.parametrize("path", ["/winegrower/", "/winegrower/requests", "/winegrower/history"])
def test_pages_render(client, grower, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("kind", ["restaurant", "washing_site", "coordinator"])
def test_other_roles_are_refused(client, actors, login, kind):
    login(actors[kind])
    assert client.get("/winegrower/").status_code == 403
    assert client.post("/winegrower/fill", data={"codes": ""}).status_code == 403


def test_stock_shows_available_and_reserved(client, grower, actors, make_crate):
    site = actors["washing_site"]
    make_crate(quantity=500, state="clean", holder=site.org)
    get_session().commit()
    assert client.post("/winegrower/requests", data={
        "site": site.org.code, "type": "bouteille-75", "quantity": "120"}).status_code == 302
    page = client.get("/winegrower/")
    assert site.org.name in page.text
    for figure in (">500<", ">120<", ">380<"):
        assert figure in page.text


def test_request_refused_keeps_the_form(client, grower, actors):
    site = actors["washing_site"]
    get_session().commit()
    page = client.post("/winegrower/requests", data={
        "site": site.org.code, "type": "clavelin-62", "quantity": "douze",
        "note": "pour la mise de mars"})
    assert page.status_code == 422
    assert 'value="douze"' in page.text and 'value="pour la mise de mars"' in page.text
    assert '<option selected value="clavelin-62">' in page.text
    assert get_session().query(BottleRequest).count() == 0


def test_cancel_own_request_only(client, grower, actors, session, make_user):
    from bouteilles.services.pages.winegrower import create_request

    site = actors["washing_site"]
    mine = create_request(session, actor=grower, site_code=site.org.code,
                          type_code="bouteille-75", quantity=10)
    theirs = create_request(session, actor=make_user("winegrower"), site_code=site.org.code,
                            type_code="bouteille-75", quantity=10)
    session.commit()
    assert client.post(f"/winegrower/requests/{theirs.id}/cancel").status_code == 403
    assert client.post(f"/winegrower/requests/{mine.id}/cancel").status_code == 302
    session.refresh(mine)
    assert mine.status == "cancelled"
    assert client.post("/winegrower/requests/99999/cancel").status_code == 404


def test_fill_by_crate_and_history(client, grower, actors, make_crate, scan):
    site = actors["washing_site"]
    code = make_crate(quantity=60, state="clean", holder=site.org)
    scan(site, code, "deliver", to=grower.org.code)
    get_session().commit()
    refused = client.post("/winegrower/fill", data={"codes": f"{code}\nABCD"})
    assert refused.status_code == 422 and "ABCD" in refused.text and code in refused.text
    assert client.post("/winegrower/fill", data={"codes": code}).status_code == 302
    again = client.post("/winegrower/fill", data={"codes": code})
    assert again.status_code == 422 and code in again.text
    history = client.get("/winegrower/history")
    assert history.text.count(code) == 2 and "rempli" in history.text


def test_counts_and_times_are_written_the_readers_way(client, grower, actors, make_crate,
                                                     scan):
    site = actors["washing_site"]
    make_crate(quantity=1500, state="clean", holder=site.org)
    code = make_crate(quantity=1200, state="clean", holder=site.org)
    delivered = scan(site, code, "deliver", to=grower.org.code).event.occurred_at
    get_session().commit()
    assert ">1\u202f500<" in client.get("/winegrower/").text
    assert ">1,500<" in client.get("/winegrower/?lang=en").text
    paris = delivered.astimezone(ZoneInfo("Europe/Paris"))
    history = client.get("/winegrower/history?lang=fr").text
    assert f"{paris:%d/%m/%Y %H:%M}</time>" in history and "UTC" not in history
    assert ">1\u202f200<" in history


def test_english(client, grower):
    client.get("/lang/en")
    page = client.get("/winegrower/")
    assert "Clean bottles" in page.text and "Bottling" in page.text
