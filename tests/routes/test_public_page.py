"""The public page of a label: /q/<code>, typed codes, GS1 Digital Links."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from bouteilles.db.database import get_session
from bouteilles.formatting import paris_date
from bouteilles.models import Container, utcnow
from bouteilles.services.items.codes import format_code, new_code
from bouteilles.services.items.gs1 import digital_link, grai_for_code
from bouteilles.services.items.lookup import get_type
from bouteilles.services.items.public_page import CONSUMER_STATES, co2e_saved_g, consumer_state
from bouteilles.services.members.accounts import create_org
from bouteilles.services.movements import mint_codes
from bouteilles.services.washing.batches import close_batch, open_batch


@pytest.fixture
def places(session):
    """Two restaurants and a collection point, with addresses and hours; one closed member."""
    create_org(session, code="resto-a", name="Le Comptoir", kind="restaurant",
               address="4 place de la Liberté, Lons", opening_hours="mar.-sam. 11h30-14h")
    create_org(session, code="cave-b", name="Cave du Centre", kind="collection_point",
               address="9 rue Lecourbe, Lons", opening_hours="mar.-sam. 9h30-19h")
    org = create_org(session, code="resto-gone", name="Ancien Bistrot", kind="restaurant")
    org.active = False
    session.commit()


def _reused_box(session, actors, scan, cycles: int, type_code: str = "bocal-500") -> str:
    """A box lent, returned, collected, washed `cycles` times, then lent to a customer."""
    resto, site = actors["restaurant"], actors["washing_site"]
    from bouteilles.services.movements import commission_containers

    code = commission_containers(session, actor=site, type_code=type_code, count=1,
                                 holder_code=resto.org.code)[0].code
    for _ in range(cycles):
        scan(resto, code, "lend")
        scan(resto, code, "return")
        scan(site, code, "collect")
        scan(site, code, "sort")
        batch = open_batch(session, actor=site, type_code=type_code)
        scan(site, code, "wash")
        close_batch(session, batch, actor=site, clean=1, rejected={})
        scan(site, code, "deliver", to=resto.org.code)
    scan(resto, code, "lend")
    return code


def test_public_page_shows_the_object_and_where_to_return_it(client, session, actors, scan,
                                                              places):
    code = _reused_box(session, actors, scan, cycles=2)
    get_session().commit()
    page = client.get(f"/q/{code}")
    assert page.status_code == 200
    html = unescape(page.text)
    assert "Une boîte Ju'Ramène" in html and "Ju'Ramène Ta Boîte" in html
    assert "Boîte en verre Ju'Ramène 500 ml" in html
    assert format_code(code) in html
    assert "En circulation" in html
    assert "5,00\u00a0€" in html  # the deposit
    assert "<strong>2</strong>" in html  # reuse cycles
    saved, factor_set = co2e_saved_g(session, get_type(session, "bocal-500"), 2)
    assert saved == 95 and factor_set in html  # round(2 × (e_SU − e_wash_box)) = round(95.2)
    assert "95\u202fg" in html
    assert "Le Comptoir" in html and "4 place de la Liberté" in html and "11h30-14h" in html
    assert "Ancien Bistrot" not in html  # inactive members are not offered
    assert "Cave du Centre" not in html  # boxes go back to restaurants
    assert '<meta name="robots" content="noindex">' in html
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert "<script" not in html


def test_public_page_shows_no_private_data(client, session, actors, scan, places):
    code = _reused_box(session, actors, scan, cycles=1)
    resto, site = actors["restaurant"], actors["washing_site"]
    resto.name, site.name = "Jeanne Serveuse", "Paul Laveur"
    get_session().commit()
    html = unescape(client.get(f"/q/{code}").text)
    for private in (resto.email, site.email, "Jeanne Serveuse", "Paul Laveur",
                    site.org.name, "lend", "return", "collect", "idempotency"):
        assert private not in html, private


def test_bottle_page_lists_collection_points_first(client, session, actors, places):
    from bouteilles.services.movements import commission_containers

    code = commission_containers(session, actor=actors["washing_site"], type_code="bouteille-75",
                                 count=1, holder_code=None)[0].code
    get_session().commit()
    html = unescape(client.get(f"/q/{code}").text)
    assert "Une bouteille J'aime mes bouteilles" in html
    assert "Pas de consigne" in html
    assert html.index("Cave du Centre") < html.index("Le Comptoir")
    assert "son premier tour commence" in html


def test_crate_page_says_how_many(client, session, make_crate, places):
    code = make_crate(quantity=480)
    get_session().commit()
    html = unescape(client.get(f"/q/{code}").text)
    assert "Une caisse de 480 bouteilles" in html


def test_english(client, session, make_container, places):
    code = make_container()
    get_session().commit()
    html = unescape(client.get(f"/q/{code}?lang=en").text)
    assert 'lang="en"' in html and "A Ju'Ramène box" in html
    assert "Where to return the box" in html and "€5.00" in html


def test_lower_case_or_dashed_code_redirects_to_the_canonical_address(client, session,
                                                                      make_container):
    code = make_container()
    get_session().commit()
    response = client.get(f"/q/{format_code(code).lower()}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/q/{code}")


@pytest.mark.parametrize("typed", ["ABCD", "0000-0000-1", "ÉÉÉÉÉÉÉÉÉ", "x" * 300])
def test_mistyped_code_is_a_friendly_422(client, places, typed):
    response = client.get(f"/q/{typed}")
    assert response.status_code == 422
    assert "text/html" in response.content_type
    assert "Ce code ne semble pas complet" in response.text
    assert 'name="code"' in response.text and "Le Comptoir" in response.text
    assert "Traceback" not in response.text


def test_one_wrong_symbol_is_refused_not_taken_for_another(client, session, make_container):
    code = make_container()
    get_session().commit()
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    assert client.get(f"/q/{wrong}").status_code == 422


def test_unknown_code_is_a_friendly_404(client, places):
    response = client.get(f"/q/{new_code()}")
    assert response.status_code == 404
    assert "Code introuvable" in response.text and "Le Comptoir" in response.text


def test_minted_code_not_in_service(client, session):
    code = mint_codes(session, 1)[0]
    get_session().commit()
    response = client.get(f"/q/{code}")
    assert response.status_code == 404
    assert "pas encore en service" in response.text


def test_typed_code_form(client, session, make_container):
    code = make_container()
    get_session().commit()
    assert client.get("/q").status_code == 200
    response = client.get("/q", query_string={"code": format_code(code).lower()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/q/{code}")
    assert client.get("/q", query_string={"code": "nope"}).status_code == 422


def test_logged_in_member_goes_to_the_scanner(client, session, actors, make_container):
    code = make_container()
    user = actors["restaurant"]
    get_session().commit()
    client.post("/login", data={"email": user.email, "password": "marnes-tilleul-1774"})
    response = client.get(f"/q/{code}")
    assert response.status_code == 302
    # A code's check character may be one a URL escapes ('$', '=', …): compare decoded.
    location = urlsplit(response.headers["Location"])
    assert (location.path, parse_qs(location.query)) == ("/scan", {"code": [code]})


def test_places_paginate(client, session, make_container):
    for i in range(15):
        create_org(session, code=f"r-{i:02d}", name=f"Resto {i:02d}", kind="restaurant")
    code = make_container()  # its holder is one more restaurant
    get_session().commit()
    first = client.get(f"/q/{code}").text
    second = client.get(f"/q/{code}?page=2").text
    assert "Resto 00" in first and "Resto 14" not in first and 'rel="next"' in first
    assert "Resto 14" in second and "Resto 00" not in second
    assert client.get(f"/q/{code}?page=abc").status_code == 200


def test_digital_link_resolves_to_the_same_object(app, client, session, make_container):
    app.config["GS1_COMPANY_PREFIX"] = "3870585"
    code = make_container()
    get_session().commit()
    link = digital_link("http://bouteilles.test", grai_for_code("3870585", "00001", code))
    path = link.removeprefix("http://bouteilles.test")
    response = client.get(path)
    assert response.status_code == 308
    assert response.headers["Location"].endswith(f"/q/{code}")
    assert client.get(path, follow_redirects=True).status_code == 200


def test_digital_link_refusals(app, client, session, make_container):
    code = make_container()
    get_session().commit()
    path = f"/8003/{grai_for_code('3870585', '00001', code)}"
    assert client.get(path).status_code == 404  # no company prefix configured
    app.config["GS1_COMPANY_PREFIX"] = "3870585"
    assert client.get(path[:-1] + "!").status_code == 422  # not one of our serials
    other = grai_for_code("4012345", "00001", code)
    assert client.get(f"/8003/{other}").status_code == 422  # another company's GRAI
    assert client.get("/8003/0123").status_code == 422


def _lent_box(session, actors, scan, *, days_ago: int) -> str:
    """A box lent to a customer `days_ago` days ago."""
    from bouteilles.services.movements import commission_containers

    resto = actors["restaurant"]
    code = commission_containers(session, actor=actors["washing_site"], type_code="bocal-500",
                                 count=1, holder_code=resto.org.code)[0].code
    scan(resto, code, "lend", occurred_at=utcnow() - timedelta(days=days_ago))
    return code


def test_a_box_out_with_a_customer_says_by_when_and_where(app, client, session, actors, scan,
                                                          places):
    code = _lent_box(session, actors, scan, days_ago=3)
    get_session().commit()
    due = paris_date(get_session().scalar(select(Container.lent_at).where(
        Container.code == code)) + timedelta(days=app.config["OVERDUE_DAYS"]), "long", locale="fr")
    html = unescape(client.get(f"/q/{code}").text)
    assert f"À rapporter au plus tard le {due}." in html
    assert 'href="#places-title"' in html and 'id="places-title"' in html  # where: the list
    english = unescape(client.get(f"/q/{code}?lang=en").text)
    assert "Please bring it back by " in english and "Where to bring it back" in english


def test_an_overdue_box_is_asked_back_as_soon_as_possible(app, client, session, actors, scan,
                                                          places):
    code = _lent_box(session, actors, scan, days_ago=app.config["OVERDUE_DAYS"] + 2)
    get_session().commit()
    html = unescape(client.get(f"/q/{code}").text)
    assert "À rapporter dès que possible : elle était attendue le " in html
    assert "au plus tard" not in html


def test_bottles_and_clean_boxes_have_no_return_date(client, session, actors, make_container,
                                                     make_crate, places):
    from bouteilles.services.movements import commission_containers

    bottle = commission_containers(session, actor=actors["washing_site"],
                                   type_code="clavelin-62", count=1, holder_code=None)[0].code
    box = make_container()
    crate = make_crate(state="clean")
    get_session().commit()
    for code in (bottle, box, crate):
        assert "À rapporter" not in unescape(client.get(f"/q/{code}").text)


def test_state_words_agree_with_the_object(client, session, actors, scan, make_container,
                                           make_crate, places):
    from bouteilles.services.movements import commission_containers

    # A clavelin (masculine name) is "une bouteille" on the page: its words are feminine.
    bottle = commission_containers(session, actor=actors["washing_site"],
                                   type_code="clavelin-62", count=1, holder_code=None)[0].code
    box = make_container()
    crate = make_crate(state="clean")
    reused = _reused_box(session, actors, scan, cycles=1)
    get_session().commit()
    bottle_page = unescape(client.get(f"/q/{bottle}").text)
    assert "Clavelin du Jura 62 cl" in bottle_page
    assert "Bouteille lavée et contrôlée : prête à être remplie par un vigneron." in bottle_page
    assert "Boîte lavée et contrôlée" in unescape(client.get(f"/q/{box}").text)
    assert "Bouteilles lavées et contrôlées" in unescape(client.get(f"/q/{crate}").text)
    assert "fois lavée et remise en service" in unescape(client.get(f"/q/{reused}").text)
    english = unescape(client.get(f"/q/{bottle}?lang=en").text)
    assert "Bottle washed and checked: ready to be filled by a winegrower." in english


@pytest.mark.parametrize("state", sorted(CONSUMER_STATES))
@pytest.mark.parametrize("family,kind", [("box", "container"), ("bottle", "container"),
                                         ("box", "crate"), ("bottle", "crate")])
def test_every_state_has_words_for_every_object(state, family, kind):
    words = consumer_state(state, family, kind)
    assert words and words.endswith(".")
    # Boîte, bouteille and caisse are feminine: no masculine participle without its noun.
    assert not re.search(r"\b(Lavé|lavé|abîmé|déclaré|contrôlé)\b", words), words


def test_the_page_says_how_to_reach_the_scheme(client, session, actors, make_container, places):
    coordination = actors["coordinator"].org
    coordination.name, coordination.address = "Coopérative Réemploi Jura", "12 rue des Salines"
    coordination.opening_hours = "lun.-ven. 9h-17h"
    code = make_container()
    get_session().commit()
    for path in (f"/q/{code}", f"/q/{new_code()}", "/q"):
        html = unescape(client.get(path).text)
        assert "Une question ?" in html, path
        assert "Coordination du réseau : Coopérative Réemploi Jura." in html
        assert "12 rue des Salines" in html and "lun.-ven. 9h-17h" in html
    coordination.active = False
    get_session().commit()
    assert "Une question ?" not in client.get(f"/q/{code}").text
