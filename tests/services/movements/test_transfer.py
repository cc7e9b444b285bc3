"""Ownership transfers: the owner changes by a `transfer` event, nothing else moves;
who may; an undo gives the object back; the EPCIS export names the owning parties."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from epcis_check import check_epcis

from bouteilles.models import Container, Event
from bouteilles.services.errors import Conflict, Forbidden, InvalidTransition
from bouteilles.services.exports.epcis_month import export_epcis_month
from bouteilles.services.items.ownership import owned_stock
from bouteilles.services.movements import transfer_ownership, undo_event
from bouteilles.services.territories import create_territory

BASE = "https://bouteilles.example"


def _box(session, code: str) -> Container:
    return session.query(Container).filter_by(code=code).one()


def test_a_transfer_changes_the_owner_only(session, actors, make_container, make_crate, scan):
    coordinator, winegrower = actors["coordinator"], actors["winegrower"].org
    box = make_container("bouteille-75", holder=winegrower)
    scan(actors["winegrower"], box, "fill")
    crate = make_crate()
    done = transfer_ownership(session, coordinator, [box, crate], winegrower.code)
    session.commit()
    assert [e.action for e in done.events] == ["transfer", "transfer"]
    item = _box(session, box)
    assert item.owner_id == winegrower.id and item.state == "in_use"
    assert item.holder_id == winegrower.id and item.deposit_held_cents == 0
    event = done.events[0]
    assert event.detail == {"from_owner": coordinator.org_id, "owner": winegrower.id}
    assert (event.from_state, event.to_state) == ("in_use", "in_use")
    rows = owned_stock(session, owner_id=winegrower.id)
    assert {(r.state, r.count) for r in rows} == {("in_use", 1), ("returned", 100)}
    # The undo gives it back to its previous owner; the state stays.
    undo_event(session, coordinator, done.events[0].id, undo_minutes=15, reason="erreur")
    session.commit()
    assert _box(session, box).owner_id == coordinator.org_id
    assert _box(session, box).state == "in_use"


def test_who_may_transfer(session, actors, make_user, make_org, make_container, scan):
    box = make_container()
    target = actors["winegrower"].org.code
    reader = make_user("coordinator")
    reader.is_admin = False
    session.commit()
    for user in (actors["restaurant"], actors["washing_site"], reader):
        with pytest.raises(Forbidden):
            transfer_ownership(session, user, [box], target)
    # A territory's coordination: not an object another territory has in hand.
    jura = create_territory(session, code="jura-t", name="Jura")
    local = make_user("coordinator", org=make_org("coordinator", territory_id=jura.id))
    with pytest.raises(Forbidden):
        transfer_ownership(session, local, [box], target)
    # Its own object, but to another territory's member: through the national coordination.
    here = make_container(holder=make_org("restaurant", territory_id=jura.id))
    with pytest.raises(Forbidden):
        transfer_ownership(session, local, [here], target)
    assert transfer_ownership(session, local, [here], local.org.code).owner == local.org
    # Nothing on a rejected object, nor to its owner already; a list is all or nothing.
    other = make_container()
    scan(actors["coordinator"], other, "reject", reason="broken")
    with pytest.raises(InvalidTransition):
        transfer_ownership(session, actors["coordinator"], [box, other], target)
    with pytest.raises(Conflict):
        transfer_ownership(session, actors["coordinator"], [box],
                           actors["coordinator"].org.code)
    session.rollback()
    assert session.query(Event).filter_by(action="transfer").count() == 1  # `here` only


def test_the_epcis_export_names_the_owners(session, actors, make_container):
    coordinator, winegrower = actors["coordinator"], actors["winegrower"].org
    box = make_container("bouteille-75", holder=winegrower)
    transfer_ownership(session, coordinator, [box], winegrower.code)
    session.commit()
    month = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    doc = json.loads("".join(export_epcis_month(session, month, base_url=BASE)))
    check_epcis(doc)
    (transfer,) = [e for e in doc["epcisBody"]["eventList"]
                   if e["bizStep"] == f"{BASE}/voc/transferring"]
    assert transfer["sourceList"] == [{"type": "owning_party",
                                       "source": f"{BASE}/org/{coordinator.org.code}"}]
    assert transfer["destinationList"] == [{"type": "owning_party",
                                            "destination": f"{BASE}/org/{winegrower.code}"}]
    assert transfer["bizLocation"] == {"id": f"{BASE}/org/{winegrower.code}"}
    assert "disposition" not in transfer
    # Its commissioning still names the owner it had then.
    (commission,) = [e for e in doc["epcisBody"]["eventList"] if e["action"] == "ADD"]
    assert {"type": "owning_party", "destination": f"{BASE}/org/{coordinator.org.code}"} \
        in commission["destinationList"]
