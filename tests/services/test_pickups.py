"""Pickup requests ("bac plein"): who asks, one open per member, who reads them,
and the collection there that closes them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bouteilles.models import PickupRequest, utcnow
from bouteilles.services.errors import Conflict, Forbidden, ValidationError
from bouteilles.services.pickups import (
    cancel_pickup,
    pickup_list,
    reader_scope,
    request_pickup,
)
from bouteilles.services.territories import create_territory


def _ask(session, user, note=None):
    asked = request_pickup(session, actor=user, note=note)
    session.commit()
    return asked


@pytest.mark.parametrize("kind", ["collector", "washing_site", "winegrower",
                                  "event_organiser", "coordinator"])
def test_only_restaurants_and_collection_points_ask(session, actors, kind):
    with pytest.raises(Forbidden):
        request_pickup(session, actor=actors[kind])


def test_one_open_request_per_member_keeps_its_date_and_takes_the_new_note(session, actors):
    first = _ask(session, actors["collection_point"], "  sonnez à l'arrière ")
    assert first.created and first.request.note == "sonnez à l'arrière"
    again = _ask(session, actors["collection_point"])
    assert not again.created and again.request.id == first.request.id
    assert again.request.note == "sonnez à l'arrière"  # no new note: kept
    third = _ask(session, actors["collection_point"], "deux bacs")
    assert third.request.id == first.request.id and third.request.note == "deux bacs"
    assert session.query(PickupRequest).count() == 1
    with pytest.raises(ValidationError, match="trop longue"):
        request_pickup(session, actor=actors["restaurant"], note="x" * 501)


def test_cancel_by_the_member_only_then_a_new_request(session, actors, make_user):
    asked = _ask(session, actors["restaurant"]).request
    other = make_user("restaurant")
    with pytest.raises(Forbidden):
        cancel_pickup(session, asked, actor=other)
    cancel_pickup(session, asked, actor=actors["restaurant"])
    session.commit()
    assert asked.status == "cancelled" and asked.closed_at is not None
    with pytest.raises(Conflict):
        cancel_pickup(session, asked, actor=actors["restaurant"])
    assert _ask(session, actors["restaurant"]).created


def test_the_list_puts_open_first_and_keeps_to_the_readers_territory(session, make_org,
                                                                     make_user, actors):
    jura = create_territory(session, code="jura", name="Jura")
    doubs = create_territory(session, code="doubs", name="Doubs")
    users = {name: make_user(kind, org=make_org(kind, name, territory_id=territory.id))
             for name, kind, territory in (
                 ("resto-a", "restaurant", jura), ("point-b", "collection_point", jura),
                 ("resto-c", "restaurant", jura), ("resto-doubs", "restaurant", doubs),
                 ("camion-jura", "collector", jura))}
    done = _ask(session, users["resto-a"]).request
    cancel_pickup(session, done, actor=users["resto-a"])
    for name in ("point-b", "resto-c", "resto-doubs"):
        _ask(session, users[name])
    jura_rows = pickup_list(session, reader_scope(users["camion-jura"]))
    assert [(r.org.code, r.status) for r in jura_rows] == [
        ("point-b", "open"), ("resto-c", "open"), ("resto-a", "cancelled")]
    national = pickup_list(session, reader_scope(actors["coordinator"]), only_open=True)
    assert {r.org.code for r in national} == {"point-b", "resto-c", "resto-doubs"}
    with pytest.raises(Forbidden):
        reader_scope(users["resto-a"])


def _returned_box(session, scan, make_container, restaurant):
    code = make_container(holder=restaurant.org)
    scan(restaurant, code, "lend")
    scan(restaurant, code, "return")
    return code


def test_a_collect_there_closes_the_request_a_collect_elsewhere_does_not(
        session, actors, make_user, scan, make_container, make_crate):
    restaurant, collector = actors["restaurant"], actors["collector"]
    elsewhere = make_user("restaurant")
    asked = _ask(session, restaurant, "plein").request
    scan(collector, _returned_box(session, scan, make_container, elsewhere), "collect")
    session.refresh(asked)
    assert asked.status == "open"
    event = scan(collector, _returned_box(session, scan, make_container, restaurant),
                 "collect").event
    session.refresh(asked)
    assert (asked.status, asked.closed_by_org_id, asked.closed_by_event_id) == (
        "closed", collector.org_id, event.id)
    assert asked.closed_at is not None
    # A crate at a collection point: the same.
    point = actors["collection_point"]
    crate_asked = _ask(session, point).request
    crate = make_crate(holder=point.org)  # returned, waiting there
    event = scan(collector, crate, "collect").event
    session.refresh(crate_asked)
    assert (crate_asked.status, crate_asked.closed_by_event_id) == ("closed", event.id)


def test_a_collect_made_before_the_request_leaves_it_open(session, actors, scan,
                                                         make_container):
    """A scan sent late from the offline queue: the member asked again since."""
    restaurant = actors["restaurant"]
    code = _returned_box(session, scan, make_container, restaurant)
    asked = _ask(session, restaurant).request
    scan(actors["collector"], code, "collect", occurred_at=utcnow() - timedelta(hours=1))
    session.refresh(asked)
    assert asked.status == "open"
