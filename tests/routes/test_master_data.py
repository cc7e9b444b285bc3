"""What the EPCIS export names resolves: places, parties, types, events, vocabulary."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlsplit

from epcis_check import check_epcis
from sqlalchemy import select

from bouteilles.services.deposits import PARIS

GLN = "3701234000008"


def test_an_organisation_is_a_place_with_its_gln(client, session, actors):
    site = actors["washing_site"].org
    site.gln = GLN
    session.commit()
    answer = client.get(f"/org/{site.code}")
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    body = answer.get_json()
    assert body["gs1:globalLocationNumber"] == GLN
    assert body["gs1:organizationName"] == site.name
    for ai in ("414", "417"):
        moved = client.get(f"/{ai}/{GLN}")
        assert moved.status_code == 303 and moved.location.endswith(f"/org/{site.code}")
    assert client.get("/414/3701234000015").status_code == 404
    assert client.get("/org/nobody-here").status_code == 404


def test_a_type_and_the_vocabulary_resolve(client):
    body = client.get("/class/bocal-500").get_json()
    assert body["schema:identifier"] == "bocal-500" and body["gs1:netWeight"]["gs1:value"] > 0
    assert client.get("/class/nothing").status_code == 404
    page = client.get("/voc/")
    assert page.status_code == 200 and 'id="washing"' in page.text
    english = client.get("/voc/?lang=en")
    assert "washing line" in english.text and "ligne" not in english.text
    term = client.get("/voc/washing")
    assert term.status_code == 303 and term.location.endswith("/voc/#washing")
    assert client.get("/voc/teleporting").status_code == 404


def test_an_event_is_shown_to_who_may_read_its_history(client, session, actors, make_org,
                                                      make_user, make_container, scan,
                                                      login):
    resto = actors["restaurant"]
    code = make_container("bocal-500", holder=resto.org)
    lent = scan(resto, code, "lend").event
    session.commit()
    assert client.get(f"/events/{lent.id}").status_code == 302  # log in first
    login(resto)
    answer = client.get(f"/events/{lent.id}")
    assert answer.status_code == 200
    doc = answer.get_json()
    check_epcis(doc)
    (event,) = doc["epcisBody"]["eventList"]
    assert event["eventID"].endswith(f"/events/{lent.id}") and event["bizStep"] == "retail_selling"
    assert client.get("/events/99999999").status_code == 404
    client.post("/logout")
    login(make_user("restaurant", org=make_org("restaurant")))
    assert client.get(f"/events/{lent.id}").status_code == 403


def test_every_uri_of_an_export_resolves(client, session, actors, make_container, make_crate,
                                         scan, token_for, login):
    from bouteilles.services.movements import undo_event
    from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch
    from bouteilles.services.washing.corrections import correct_batch

    resto, site = actors["restaurant"], actors["washing_site"]
    site.org.gln = GLN
    code = make_container("bocal-500", holder=site.org)
    scan(site, code, "deliver", to=resto.org.code)
    scan(resto, code, "lend")
    scan(resto, code, "return")
    scan(site, code, "collect")
    scan(site, code, "sort")
    crate = make_crate("bouteille-75", quantity=40, state="sorted", holder=site.org)
    batch = open_batch(session, actor=site, type_code="bocal-500")
    add_inputs(session, batch, actor=site, codes=[code], count=4)
    close_batch(session, batch, actor=site, clean=5, rejected={})
    correct_batch(session, batch, actor=site, clean=4, rejected={"chipped": 1}, reason="vu")
    bottles = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, bottles, actor=site, codes=[crate])
    close_batch(session, bottles, actor=site, clean=40, rejected={})
    lent = scan(resto, make_container("bocal-500", holder=resto.org), "lend").event
    undo_event(session, resto, lent.id, undo_minutes=15, reason="erreur")
    session.commit()
    month = datetime.now(PARIS).strftime("%Y-%m")
    doc = client.get(f"/exports/epcis/{month}.jsonld",
                     headers=token_for(actors["coordinator"])).get_json()
    base = "http://bouteilles.test"
    uris = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith(base + "/"):
            uris.add(value)

    check_epcis(doc)
    walk(doc["epcisBody"])
    assert any("/414/" in u for u in uris) and any("/voc/" in u for u in uris)
    assert any("-correction-" in u for u in uris) and any("/batches/" in u for u in uris)
    assert any(e["type"] == "AggregationEvent" for e in doc["epcisBody"]["eventList"])
    login(actors["coordinator"])
    for uri in sorted(uris):
        path = urlsplit(uri).path
        answer = client.get(path)
        assert answer.status_code in (200, 302, 303, 308), (uri, answer.status_code)
        assert "/login" not in (answer.location or ""), uri
    json.dumps(doc)


def test_the_admin_form_takes_a_gln_with_its_check_digit(client, session, actors, login,
                                                        runner):
    from bouteilles.models import Organisation

    login(actors["coordinator"])
    site = actors["washing_site"].org
    session.commit()
    wrong = client.post(f"/admin/orgs/{site.code}", data={"name": site.name,
                                                           "gln": "3701234000005"})
    assert wrong.status_code == 422 and "devrait être 8" in wrong.text  # the right digit
    assert client.post(f"/admin/orgs/{site.code}", data={"name": site.name,
                                                          "gln": "370123400000"}
                       ).status_code == 422  # 12 digits
    saved = client.post(f"/admin/orgs/{site.code}", data={"name": site.name, "gln": GLN})
    assert saved.status_code == 302
    assert GLN in client.get(f"/admin/orgs/{site.code}").text
    taken = runner.invoke(args=["orgs", "create", "resto-gln", "--name", "R",
                                "--kind", "restaurant", "--gln", GLN])
    assert taken.exit_code != 0 and site.code in taken.output
    made = runner.invoke(args=["orgs", "create", "resto-gln", "--name", "R",
                               "--kind", "restaurant", "--gln", "3701234000015"])
    assert made.exit_code == 0, made.output
    session.expire_all()
    assert session.scalar(select(Organisation.gln).where(
        Organisation.code == "resto-gln")) == "3701234000015"
