"""The registry of bottle models: the national coordination keeps it, the others read
it or are refused; a type shows its model; the washing site sorts by model."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bouteilles.db.database import get_session
from bouteilles.models import BottleModel, Container, ContainerType, Event
from bouteilles.services.bottle_models import describe_model
from bouteilles.services.members.accounts import create_user
from bouteilles.services.territories import create_territory

NEW = {"code": "bordelaise-75-vert", "name": "Bordelaise 75 cl", "colour": "green",
       "volume_ml": "750", "mass_g": "410", "mould_ref": "B75-410", "glassworks": "Verallia"}


@pytest.fixture
def territorial(session, make_org):
    """An administrator and a reader of a territory's coordination."""
    jura = create_territory(session, code="jura", name="Jura")
    session.commit()
    coop = make_org("coordinator", "coop-jura", territory_id=jura.id)
    users = [create_user(session, email=f"{who}@coop-jura.test", org=coop,
                         password="marnes-tilleul-1774", admin=who == "admin")
             for who in ("admin", "reader")]
    session.commit()
    return users


def test_the_national_administration_creates_and_edits_a_model(client, actors, login,
                                                                 session):
    login(actors["coordinator"])
    page = client.get("/admin/models/")
    assert page.status_code == 200 and "Bourgogne 75 cl" in page.text  # seeded by 0020
    assert "feuille-morte" in page.text and "Bouteille 75 cl" in page.text
    refused = client.post("/admin/models/new", data={**NEW, "mass_g": "0"})
    assert refused.status_code == 422 and 'value="Bordelaise 75 cl"' in refused.text
    made = client.post("/admin/models/new", data=NEW)
    assert made.status_code == 302 and made.headers["Location"].endswith(
        "/admin/models/bordelaise-75-vert")
    again = client.post("/admin/models/new", data=NEW)
    assert again.status_code == 422 and "existe déjà" in again.text
    edited = client.post("/admin/models/bordelaise-75-vert",
                         data={**NEW, "colour": "extra_flint", "glassworks": ""})
    assert edited.status_code == 302
    model = session.scalar(select(BottleModel).where(BottleModel.code == NEW["code"]))
    session.refresh(model)
    assert (model.colour, model.glassworks, model.mass_g) == ("extra_flint", None, 410)
    # The type form points a type to it, kept in the type's history; a box takes none.
    form = {"name": "Bouteille 75 cl (standard réemploi)", "family": "bottle",
            "mass_g": "560", "volume_ml": "750", "deposit_cents": "0", "active": "1"}
    assert client.post("/admin/types/bouteille-75",
                       data={**form, "model": NEW["code"]}).status_code == 302
    type_page = client.get("/admin/types/bouteille-75").text
    assert "Bordelaise 75 cl, extra-blanc" in type_page
    assert "l&#39;impact compte la masse du type" in type_page  # 410 g ≠ 560 g
    box = client.post("/admin/types/bocal-500", data={
        **form, "name": "Boîte", "family": "box", "deposit_cents": "5",
        "model": NEW["code"]})
    assert box.status_code == 422 and "type de bouteille" in box.text


def test_a_territory_reads_the_registry_and_the_others_are_refused(client, actors, login,
                                                                    territorial):
    for user in territorial:
        login(user)
        page = client.get("/admin/models/bourgogne-75-feuille-morte")
        assert page.status_code == 200 and "disabled" in page.text
        assert client.get("/admin/models/new").status_code == 403
        assert client.post("/admin/models/new", data=NEW).status_code == 403
        assert client.post("/admin/models/bourgogne-75-feuille-morte",
                           data=NEW).status_code == 403
    for kind in ("washing_site", "winegrower"):
        login(actors[kind])
        assert client.get("/admin/models/").status_code == 403
    client.post("/logout")
    assert client.get("/admin/models/").status_code == 302


def test_the_sort_shows_the_model_and_records_a_wrong_model(client, actors, login, session,
                                                           make_crate):
    site = login(actors["washing_site"])
    code = make_crate(quantity=5, state="collected", holder=site.org)
    get_session().commit()
    page = client.get("/washing/sort")
    assert "Modèle attendu par type" in page.text
    assert "Bourgogne 75 cl, feuille-morte" in page.text
    assert "Clavelin 62 cl, feuille-morte" in page.text
    assert 'value="wrong_model"' in page.text and "5 à trier" in page.text
    sorted_ = client.post("/washing/sort", data={"mode": "crate", "crate": code,
                                                 "reject_wrong_model": "2"})
    assert sorted_.status_code == 302
    # The two leave in a crate of their own, rejected as the wrong model.
    rejected = session.execute(select(Event.reason, Event.quantity).where(
        Event.action == "reject")).all()
    assert rejected == [("wrong_model", 2)]


def test_a_labelled_bottle_sorted_as_the_wrong_model(client, actors, login, session,
                                                     make_container, scan):
    site = login(actors["washing_site"])
    code = make_container("bouteille-75", holder=site.org)
    scan(site, code, "collect")
    assert client.post("/washing/sort", data={"mode": "codes", "codes": code,
                                              "reason": "wrong_model"}).status_code == 302
    bottle = session.scalar(select(Container).where(Container.code == code))
    session.refresh(bottle)
    assert (bottle.state, bottle.reject_reason) == ("rejected", "wrong_model")
    login(actors["coordinator"])
    item = client.get(f"/admin/items/{code}").text
    assert "Bourgogne 75 cl, feuille-morte" in item and "mauvais modèle" in item


def test_the_winegrower_asks_for_a_type_named_with_its_model(client, actors, login, session):
    grower = login(actors["winegrower"])
    site = actors["washing_site"]
    page = client.get("/winegrower/").text
    assert "Clavelin du Jura 62 cl — Clavelin 62 cl, feuille-morte" in page
    asked = client.post("/winegrower/requests", data={
        "site": site.org.code, "type": "clavelin-62", "quantity": "120"})
    assert asked.status_code == 302
    assert "Modèle : Clavelin 62 cl, feuille-morte" in client.get(
        "/winegrower/requests").text
    login(site)
    assert "Modèle : Clavelin 62 cl" in client.get("/washing/requests").text
    assert grower.org.name in client.get("/washing/requests").text


def test_the_api_names_the_model_of_an_item(client, actors, session, make_crate, token_for):
    code = make_crate(type_code="clavelin-62")
    box = session.scalar(select(ContainerType).where(ContainerType.code == "bocal-500"))
    assert box.model is None
    body = client.get(f"/api/v1/items/{code}",
                      headers=token_for(actors["coordinator"])).get_json()
    assert body["type"] == "clavelin-62" and body["model"] == {
        "code": "clavelin-62-feuille-morte", "name": "Clavelin 62 cl", "mould_ref": None,
        "colour": "dead_leaf", "volume_ml": 620, "mass_g": 500, "glassworks": None}


def test_a_model_reads_as_name_colour_and_volume(app):
    with app.test_request_context("/?lang=en"):
        model = BottleModel(name="Bordelaise", colour="green", volume_ml=375, mass_g=300)
        assert describe_model(model) == "Bordelaise, green, 375 ml"
        model.name, model.volume_ml = "Bordelaise 75 cl", 750
        assert describe_model(model) == "Bordelaise 75 cl, green"
        assert describe_model(None) == ""
