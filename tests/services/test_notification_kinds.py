"""What the kinds lost, pickups, orders and low_stock have to say, and to whom."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bouteilles.models import BottleRequest, ContainerType, PickupRequest, utcnow
from bouteilles.services.movements import declare_overdue_lost
from bouteilles.services.notifications.due import Due
from bouteilles.services.notifications.kinds import KINDS, lost, low_stock, orders, pickups
from bouteilles.services.notifications.sender import compose
from bouteilles.services.stock_thresholds import set_thresholds
from bouteilles.services.territories import create_territory


@pytest.mark.parametrize("kind", [lost, low_stock, orders, pickups])
def test_nothing_to_say_no_message(session, actors, kind):
    now = utcnow()
    assert kind.due(session, now, now - timedelta(days=1)) == []


def test_lost_tells_the_lender_its_boxes_and_deposits(session, actors, make_container, scan):
    lender = actors["restaurant"]
    now = utcnow()
    code = make_container()
    scan(lender, code, "lend", occurred_at=now - timedelta(days=61))
    declare_overdue_lost(session, lost_days=60, now=now)
    session.commit()

    [message] = lost.due(session, now, now - timedelta(days=1))
    assert message.org_id == lender.org_id
    [box] = message.context["boxes"]
    assert (box["code"], box["automatic"], box["lent_at"]) == (
        code, True, now - timedelta(days=61))
    assert box["deposit_cents"] == message.context["forfeited_cents"] > 0
    assert lost.subject(message.context) == "1 boîte déclarée perdue : consigne conservée"
    assert lost.due(session, now + timedelta(days=2), now + timedelta(days=1)) == []


def test_pickups_go_to_the_collectors_of_the_members_territory(session, make_org):
    jura, doubs = (create_territory(session, code=c, name=c.title()) for c in ("jura", "doubs"))
    collector = make_org("collector", territory_id=jura.id)
    site = make_org("washing_site", territory_id=doubs.id)  # no collector in the Doubs
    roaming = make_org("collector")
    here = make_org("restaurant", territory_id=jura.id, address="1 rue du Commerce")
    there = make_org("collection_point", territory_id=doubs.id)
    nowhere = make_org("restaurant")
    now = utcnow()
    session.add_all([
        PickupRequest(org_id=here.id, note="bac plein", requested_at=now - timedelta(hours=2)),
        PickupRequest(org_id=there.id, requested_at=now),
        PickupRequest(org_id=nowhere.id, requested_at=now),
        PickupRequest(org_id=here.id, status="closed", closed_at=now, requested_at=now)])
    session.commit()

    by_org = {message.org_id: message.context for message in pickups.due(session, now, now)}

    assert set(by_org) == {collector.id, site.id, roaming.id}
    assert by_org[collector.id]["requests"] == [{
        "place": here.name, "address": "1 rue du Commerce",
        "requested_at": now - timedelta(hours=2), "note": "bac plein"}]
    assert [r["place"] for r in by_org[site.id]["requests"]] == [there.name]
    assert [r["place"] for r in by_org[roaming.id]["requests"]] == [nowhere.name]
    assert pickups.subject(by_org[site.id]) == "1 demande de collecte en attente"


def test_orders_go_to_the_washing_site_named(session, make_org):
    site, other_site = make_org("washing_site"), make_org("washing_site")
    grower, restaurant = make_org("winegrower"), make_org("restaurant")
    bottle = session.scalar(select(ContainerType).where(ContainerType.family == "bottle"))
    box = session.scalar(select(ContainerType).where(ContainerType.family == "box"))
    now = utcnow()
    session.add_all([
        BottleRequest(org_id=grower.id, site_id=site.id, type_id=bottle.id, quantity=600,
                      delivered=100, created_at=now - timedelta(days=1)),
        BottleRequest(org_id=restaurant.id, site_id=site.id, type_id=box.id, quantity=40,
                      created_at=now),
        BottleRequest(org_id=grower.id, site_id=other_site.id, type_id=bottle.id, quantity=5,
                      status="cancelled", cancelled_at=now)])
    session.commit()

    [message] = orders.due(session, now, now)

    assert message.org_id == site.id
    assert [(o["member"], o["type_name"], o["quantity"]) for o in message.context["orders"]] == [
        (grower.name, bottle.name, 500), (restaurant.name, box.name, 40)]
    assert orders.subject(message.context) == "2 commandes à préparer"


def test_low_stock_when_clean_stock_is_below_the_minimum(
        session, actors, make_container, make_crate):
    restaurant, grower = actors["restaurant"].org, actors["winegrower"].org
    make_container()
    make_crate(type_code="bouteille-75", quantity=100, state="clean", holder=grower)
    box = session.scalar(select(ContainerType).where(ContainerType.code == "bocal-500"))
    bottle = session.scalar(select(ContainerType).where(ContainerType.code == "bouteille-75"))
    set_thresholds(session, restaurant, {box.id: 1})  # 1 clean: not below
    set_thresholds(session, grower, {bottle.id: 150})
    session.commit()
    now = utcnow()

    [message] = low_stock.due(session, now, now)

    assert message.org_id == grower.id
    assert message.context["types"] == [{"type_name": bottle.name, "clean": 100, "minimum": 150}]
    assert low_stock.subject(message.context) == \
        f"Stock propre bas : 100 {bottle.name} (seuil 150)"
    set_thresholds(session, restaurant, {box.id: 2})
    assert {m.org_id for m in low_stock.due(session, now, now)} == {grower.id, restaurant.id}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_each_kind_is_written_in_both_languages(session, make_user, locale):
    """The four kinds' mails, text and HTML, from a context of each (French, English)."""
    now = utcnow()
    contexts = {
        "lost": {"count": 1, "forfeited_cents": 500, "boxes": [{
            "code": "B0X1", "type_name": "Boîte 50 cl", "lent_at": now, "declared_at": now,
            "deposit_cents": 500, "automatic": True}]},
        "pickups": {"count": 1, "requests": [{"place": "Le Comptoir", "address": "1 rue Neuve",
                                               "requested_at": now, "note": "bac plein"}]},
        "orders": {"count": 1, "orders": [{"member": "Domaine Rolet", "type_name": "Clavelin",
                                           "quantity": 1200, "since": now, "note": None}]},
        "low_stock": {"count": 1, "stock_pages": low_stock.STOCK_PAGES,
                      "types": [{"type_name": "Boîte 50 cl", "clean": 12, "minimum": 30}]},
    }
    kinds = {"lost": "restaurant", "pickups": "collector", "orders": "washing_site",
             "low_stock": "restaurant"}
    expected = {"lost": ("B0X1", "Boîte 50 cl"), "pickups": ("Le Comptoir", "bac plein"),
                "orders": ("Domaine Rolet", "200"), "low_stock": ("12", "30")}
    for code, context in contexts.items():
        user = make_user(kinds[code])
        user.locale = locale
        message = compose(KINDS[code], user, Due(user.org_id, context), "2026-12-05")
        for part in expected[code]:
            assert part in message.text and part in message.html, (code, part)
        assert ("déclarée perdue" in message.text) == (code == "lost" and locale == "fr")
