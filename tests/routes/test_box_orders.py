"""Restaurants order clean boxes from a washing site as winegrowers order bottles; the
site fulfils the order by delivering scanned boxes."""

from __future__ import annotations

import pytest

from bouteilles.models import BottleRequest, Container
from bouteilles.services.errors import Forbidden, ValidationError
from bouteilles.services.pages import winegrower as orders


def test_a_restaurant_orders_boxes_the_site_delivers_them(client, login, actors, session,
                                                          make_container):
    restaurant, site = actors["restaurant"], actors["washing_site"]
    boxes = [make_container("bocal-500", holder=site.org) for _ in range(2)]
    login(restaurant)
    page = client.get("/restaurant/orders/").text
    assert "Commander des boîtes propres" in page and "bouteille-75" not in page
    answer = client.post("/restaurant/orders/", data={
        "site": site.org.code, "type": "bocal-500", "quantity": "2", "note": "pour vendredi"})
    assert answer.status_code == 302
    order = session.query(BottleRequest).one()
    assert (order.org_id, order.quantity, order.status) == (restaurant.org_id, 2, "open")

    login(site)
    listed = client.get("/washing/requests").text
    assert restaurant.org.name in listed and "Livrer au restaurant" in listed
    done = client.post(f"/washing/requests/{order.id}/fulfil", data={"codes": "\n".join(boxes)})
    assert done.status_code == 302
    session.refresh(order)
    assert (order.status, order.delivered) == ("fulfilled", 2)
    held = session.query(Container).filter(Container.code.in_(boxes)).all()
    assert {(c.holder_id, c.state) for c in held} == {(restaurant.org_id, "clean")}

    login(restaurant)
    assert "livrée" in client.get("/restaurant/orders/").text


def test_orders_keep_to_their_family_and_kinds(session, actors):
    site = actors["washing_site"].org.code
    with pytest.raises(ValidationError, match="boîtes"):
        orders.create_request(session, actor=actors["restaurant"], site_code=site,
                              type_code="bouteille-75", quantity=5)
    with pytest.raises(Forbidden):
        orders.create_request(session, actor=actors["collector"], site_code=site,
                              type_code="bocal-500", quantity=5)


def test_a_refused_order_keeps_what_was_typed_and_cancel_is_the_restaurant_s(
        client, login, actors, make_user, session):
    login(actors["restaurant"])
    site = actors["washing_site"].org.code
    refused = client.post("/restaurant/orders/", data={"site": site, "type": "bocal-500",
                                                       "quantity": "0", "note": "gardez-moi"})
    assert refused.status_code == 422 and "gardez-moi" in refused.text
    client.post("/restaurant/orders/", data={"site": site, "type": "bocal-500",
                                             "quantity": "3"})
    order = session.query(BottleRequest).one()
    login(make_user("restaurant"))
    assert client.post(f"/restaurant/orders/{order.id}/cancel").status_code == 403
    login(actors["restaurant"])
    assert client.post(f"/restaurant/orders/{order.id}/cancel").status_code == 302
    session.refresh(order)
    assert order.status == "cancelled"
