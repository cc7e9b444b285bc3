"""The loops the record shows, their distances and warnings, scoped by territory;
the collection leg a batch's close proposes. On SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from geo_world import LONS, MARSEILLE, NEAR_LONS, PARIS, batch_of, build_world
from sqlalchemy import select

from bouteilles.models import Event, utcnow
from bouteilles.services.geography.distance import great_circle_km
from bouteilles.services.geography.loops import loops_between, missing_places, recent_loops
from bouteilles.services.geography.record import batch_origins
from bouteilles.services.geography.settings import GeoSettings
from bouteilles.services.geography.transport import proposed_collection_leg
from bouteilles.services.movements import undo_event
from bouteilles.services.territories import Scope, create_territory, scope_of

ESTIMATE = GeoSettings()  # no routing service: great-circle × 1.3


@pytest.fixture
def world(make_org, make_user, make_crate, make_container, scan):
    return build_world(make_org, make_user, make_crate, make_container, scan)


def loops_now(session, **kw):
    return recent_loops(session, utcnow() + timedelta(minutes=1), settings=ESTIMATE, **kw)


def by_names(view):
    return {(loop.origin.name if loop.origin else None, loop.site.name,
             loop.destination.name if loop.destination else None): loop for loop in view.loops}


def test_the_loops_of_the_record_with_their_quantities_and_distances(session, world):
    view = loops_now(session)
    loops = by_names(view)
    site = world.site.name
    assert set(loops) == {
        (world.paris.name, site, world.marseille.name),
        (world.unplaced.name, site, world.marseille.name),
        (world.restaurant.name, site, world.restaurant.name),
    }
    bottles = loops[world.paris.name, site, world.marseille.name]
    assert bottles.family == "bottle"
    assert bottles.inbound.quantity == 150 and bottles.outbound.quantity == 80
    expected = (great_circle_km(PARIS, LONS) + great_circle_km(LONS, MARSEILLE)) * 1.3
    assert bottles.total.km == pytest.approx(expected)
    assert not bottles.total.by_road
    assert bottles.over_limit and bottles.over_break_even
    boxes = loops[world.restaurant.name, site, world.restaurant.name]
    assert boxes.family == "box"
    assert boxes.total.km == pytest.approx(2 * great_circle_km(NEAR_LONS, LONS) * 1.3)
    assert not boxes.over_limit
    # The longest first; a loop through a place without coordinates has no distance.
    assert view.loops[0] is bottles
    unplaced = loops[world.unplaced.name, site, world.marseille.name]
    assert unplaced.total is None and not unplaced.over_limit
    assert view.over_limit == [bottles] and view.over_break_even == [bottles]


def test_the_limits_come_from_the_settings(session, world):
    view = recent_loops(session, utcnow() + timedelta(minutes=1),
                        settings=GeoSettings(loop_limit_km=1, break_even_km=2000))
    assert len(view.over_limit) == 2  # the boxes' few km too, not the unplaced one
    assert view.over_break_even == []


def test_a_window_without_moves_has_no_loops(session, world):
    start = utcnow() - timedelta(days=400)
    view = loops_between(session, start, start + timedelta(days=30), settings=ESTIMATE)
    assert view.loops == []


def test_an_undone_delivery_is_no_loop(session, world):
    delivery = session.scalar(select(Event).where(
        Event.action == "deliver", Event.from_holder_id == world.site.id,
        Event.holder_id == world.marseille.id))
    undo_event(session, world.site_user, delivery.id, undo_minutes=15)
    session.commit()
    loops = by_names(loops_now(session))
    # The bottles' loops lose their destination; the boxes' stays.
    assert (world.paris.name, world.site.name, None) in loops
    assert (world.restaurant.name, world.site.name, world.restaurant.name) in loops
    assert not any(dest == world.marseille.name for _o, _s, dest in loops)


def test_members_without_coordinates(session, world):
    names = {place.name for place in missing_places(session)}
    assert world.unplaced.name in names
    assert world.site.name not in names
    assert world.collector.org.name not in names  # a collector has no place of its own
    view = loops_now(session)
    assert world.unplaced.id in view.in_loops


def test_a_territory_sees_the_loops_of_its_sites_only(session, make_org, make_user, make_crate,
                                                      make_container, scan):
    jura = create_territory(session, code="jura", name="Jura")
    doubs = create_territory(session, code="doubs", name="Doubs")
    session.commit()
    build_world(make_org, make_user, make_crate, make_container, scan, site_territory=jura.id)
    coordinator_jura = make_org("coordinator", territory_id=jura.id)
    coordinator_doubs = make_org("coordinator", territory_id=doubs.id)
    assert len(loops_now(session, scope=scope_of(coordinator_jura)).loops) == 3
    assert loops_now(session, scope=scope_of(coordinator_doubs)).loops == []
    assert len(loops_now(session, scope=Scope.WHOLE).loops) == 3
    # The members without coordinates a territory sees: its own only.
    assert missing_places(session, scope_of(coordinator_doubs)) == []


def test_the_origins_of_a_batch(session, world):
    batch = batch_of(session, world, world.crate_codes)
    assert sorted(batch_origins(session, batch.id)) == sorted(
        [(world.paris.id, 150), (world.unplaced.id, 30)])


def test_the_collection_leg_proposed_for_a_batch(session, world):
    batch = batch_of(session, world, world.crate_codes[:2])
    leg = proposed_collection_leg(session, batch, ESTIMATE)
    assert leg.km == pytest.approx(round(2 * great_circle_km(LONS, PARIS) * 1.3, 1))
    assert (leg.origins, leg.unplaced, leg.by_road) == (1, 0, False)


def test_the_proposal_counts_the_places_it_cannot_place(session, world):
    batch = batch_of(session, world, world.crate_codes)
    leg = proposed_collection_leg(session, batch, ESTIMATE)
    assert (leg.origins, leg.unplaced) == (1, 1)


def test_no_proposal_without_an_origin_on_the_map(session, world):
    batch = batch_of(session, world, world.crate_codes[2:])
    assert proposed_collection_leg(session, batch, ESTIMATE) is None
    counted = batch_of(session, world, [])
    assert proposed_collection_leg(session, counted, ESTIMATE) is None


def test_an_ended_window_stays_as_it_was(session, world):
    end = utcnow()
    start = end - timedelta(days=1)
    before = by_names(loops_between(session, start, end, settings=ESTIMATE))
    delivery = session.scalar(select(Event).where(
        Event.action == "deliver", Event.from_holder_id == world.site.id,
        Event.holder_id == world.marseille.id))
    undo_event(session, world.site_user, delivery.id, undo_minutes=15)
    session.commit()
    after = by_names(loops_between(session, start, end, settings=ESTIMATE))
    assert set(after) == set(before)  # the undo was recorded after the window ended
