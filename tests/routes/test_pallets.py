"""Pallets filled at the washing site: progress to capacity, topping up (never past it),
release with the label, and the winegrowers seeing what is ready."""

from sqlalchemy import select

from bouteilles.db.database import get_session
from bouteilles.models import Crate, Event
from bouteilles.services.items.lookup import get_item


def test_pallet_fills_up_is_released_and_seen_by_winegrowers(client, actors, login,
                                                             make_crate):
    site = actors["washing_site"]
    grower = actors["winegrower"]
    source = make_crate(quantity=1_500, state="clean", holder=site.org)
    login(site)
    opened = client.post("/washing/pallets/", data={"type": "bouteille-75", "capacity": "1200"})
    assert opened.status_code == 302
    code = opened.headers["Location"].rsplit("/", 1)[-1]

    assert client.post(f"/washing/pallets/{code}/top-up",
                       data={"source": source, "quantity": "840"}).status_code == 302
    page = client.get(f"/washing/pallets/{code}")
    assert 'max="1200" value="840"' in page.text
    assert "<strong>840</strong> / 1\u202f200" in page.text
    assert "/washing/pallets/" in client.get("/washing/").text  # the site's menu links it

    refused = client.post(f"/washing/pallets/{code}/top-up",
                          data={"source": source, "quantity": "400"})
    assert refused.status_code == 422
    assert "ne prend plus que 360 bouteilles" in refused.text
    assert get_item(get_session(), code).quantity == 840  # nothing moved

    assert client.post(f"/washing/pallets/{code}/top-up",
                       data={"source": source, "quantity": "360"}).status_code == 302
    db = get_session()
    assert (get_item(db, code).quantity, get_item(db, source).quantity) == (1_200, 300)
    moves = db.execute(select(Event.quantity_delta, Event.anomaly)
                       .join(Crate, Crate.id == Event.crate_id)
                       .where(Crate.code.in_([code, source]), Event.action == "deliver")).all()
    assert sorted(moves) == [(-840, None), (-360, None), (360, None), (840, None)]

    login(grower)
    assert "ready-pallets" not in client.get("/winegrower/").text  # not released yet
    login(site)
    assert client.post(f"/washing/pallets/{code}/release").status_code == 302
    assert client.get(f"/washing/pallets/{code}/label.pdf").data.startswith(b"%PDF")
    again = client.post(f"/washing/pallets/{code}/top-up",
                        data={"source": source, "quantity": "1"})
    assert again.status_code == 422 and "déjà libérée" in again.text

    login(grower)
    ready = client.get("/winegrower/").text
    table = ready[ready.index('id="ready-pallets"'):]
    assert site.org.name in table and ">1<" in table and ">1\u202f200<" in table


def test_an_early_release_and_another_sites_pallet(client, actors, login, make_user,
                                                     make_crate):
    site = actors["washing_site"]
    source = make_crate(quantity=50, state="clean", holder=site.org)
    login(site)
    code = client.post("/washing/pallets/", data={"type": "bouteille-75", "capacity": "1200"}
                       ).headers["Location"].rsplit("/", 1)[-1]
    empty = client.post(f"/washing/pallets/{code}/release")
    assert empty.status_code == 422 and "vide" in empty.text
    client.post(f"/washing/pallets/{code}/top-up", data={"source": source, "quantity": "50"})
    assert client.post(f"/washing/pallets/{code}/release").status_code == 302
    assert get_item(get_session(), code).released_at is not None
    login(make_user("washing_site"))
    assert client.get(f"/washing/pallets/{code}").status_code == 403
    assert client.post(f"/washing/pallets/{code}/release").status_code == 403
