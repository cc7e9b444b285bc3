"""Territories: the partition column each writer fills, boxes crossing territories,
what a territory's coordination may correct, deposits per territory, the scope."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from bouteilles.models import Container, DepositEntry, Event, Label, TerritoryDeposit
from bouteilles.services.deposits import settlements
from bouteilles.services.errors import Conflict, Forbidden, NotFound, ValidationError
from bouteilles.services.movements import (
    commission_containers,
    join_territory,
    record_scan,
    submit_scan,
)
from bouteilles.services.movements.undo import undo_event
from bouteilles.services.territories import (
    Scope,
    create_territory,
    scope_for_code,
    scope_of,
)
from bouteilles.services.washing.batches import open_batch


@pytest.fixture
def two_territories(session, make_org, make_user):
    """Jura and Doubs, each with its coordination (an administrator), a restaurant and a
    washing site; ten boxes of the Jura at the Jura restaurant."""
    jura = create_territory(session, code="jura", name="Jura")
    doubs = create_territory(session, code="doubs", name="Doubs")
    session.commit()
    world = {"jura": jura, "doubs": doubs}
    for territory in (jura, doubs):
        for kind in ("coordinator", "restaurant", "washing_site"):
            org = make_org(kind, f"{kind.replace('_', '-')}-{territory.code}",
                           territory_id=territory.id)
            world[kind, territory.code] = make_user(kind, org=org)
    world["boxes"] = [box.code for box in commission_containers(
        session, actor=world["washing_site", "jura"], type_code="bocal-500", count=10,
        holder_code="restaurant-jura")]
    session.commit()
    return world


def _event(session, code: str, action: str) -> Event:
    return session.scalars(select(Event).where(Event.code == code, Event.action == action)
                           .order_by(Event.id.desc()).limit(1)).one()


def test_each_row_carries_its_territory(session, two_territories):
    world = two_territories
    code = world["boxes"][0]
    box = session.scalar(select(Container).where(Container.code == code))
    label = session.get(Label, code)
    assert box.territory_id == label.territory_id == world["jura"].id
    assert _event(session, code, "commission").territory_id == world["jura"].id
    record_scan(session, actor=world["restaurant", "jura"], code=code, action="lend")
    lend = _event(session, code, "lend")
    entry = session.scalar(select(DepositEntry).where(DepositEntry.event_id == lend.id))
    assert lend.territory_id == entry.territory_id == world["jura"].id
    batch = open_batch(session, actor=world["washing_site", "doubs"], type_code="bocal-500")
    assert batch.territory_id == world["doubs"].id


def test_the_api_path_records_the_territory_too(session, client, two_territories, token_for):
    """A scan through the API (the token's actor read with the container) writes the
    same territory as a page's."""
    world = two_territories
    headers = token_for(world["restaurant", "doubs"])
    code = world["boxes"][1]
    answer = client.post("/api/v1/scans", headers=headers, json={
        "code": code, "action": "return", "idempotency_key": "t-api-1"})
    assert answer.status_code == 201, answer.get_json()
    session.expire_all()
    assert _event(session, code, "return").territory_id == world["doubs"].id


def test_a_box_returned_in_another_territory(session, two_territories):
    """Accepted; the refund is Doubs's money, the settlement joins two territories and
    shows in both; the box stays the Jura's."""
    world = two_territories
    code = world["boxes"][2]
    record_scan(session, actor=world["restaurant", "jura"], code=code, action="lend")
    back = record_scan(session, actor=world["restaurant", "doubs"], code=code,
                       action="return")
    session.commit()
    assert back.deposit.kind == "refunded" and back.deposit.amount_cents == 500
    box = session.scalar(select(Container).where(Container.code == code))
    assert box.territory_id == world["jura"].id
    assert box.owner.code == "washing-site-jura"
    assert box.holder.code == "restaurant-doubs"
    refund = session.scalar(select(DepositEntry).where(DepositEntry.kind == "refunded",
                                                       DepositEntry.container_id == box.id))
    assert refund.territory_id == world["doubs"].id
    month = refund.occurred_at.strftime("%Y-%m")
    owed = {"from": "restaurant-jura", "to": "restaurant-doubs", "amount_cents": 500}
    for territory in ("jura", "doubs"):
        scope = scope_of(world["coordinator", territory].org)
        assert owed in settlements(session, month=month, scope=scope)
    elsewhere = Scope(territory_id=world["doubs"].id + 100)
    assert settlements(session, month=month, scope=elsewhere) == []


def test_a_territory_coordination_corrects_its_own_objects_only(session, two_territories):
    world = two_territories
    jura_box, doubs_held = world["boxes"][3], world["boxes"][4]
    with pytest.raises(Forbidden, match="autre territoire"):
        record_scan(session, actor=world["coordinator", "doubs"], code=jura_box,
                    action="reject", reason="broken")
    session.rollback()
    # Its home is the Jura: the Jura's coordination records it.
    record_scan(session, actor=world["coordinator", "jura"], code=jura_box, action="reject",
                reason="broken")
    # Held by a member of Doubs: Doubs's coordination may act on it.
    record_scan(session, actor=world["restaurant", "jura"], code=doubs_held, action="lend")
    record_scan(session, actor=world["restaurant", "doubs"], code=doubs_held,
                action="return")
    session.commit()
    record_scan(session, actor=world["coordinator", "doubs"], code=doubs_held,
                action="reject", reason="broken")
    session.commit()


def test_a_territory_coordination_undoes_its_own_objects_only(session, two_territories):
    world = two_territories
    code = world["boxes"][5]
    lent = record_scan(session, actor=world["restaurant", "jura"], code=code, action="lend")
    session.commit()
    with pytest.raises(Forbidden, match="autre territoire"):
        undo_event(session, world["coordinator", "doubs"], lent.event.id, undo_minutes=15,
                   idempotency_key="u-doubs", reason="erreur")
    session.rollback()
    undo_event(session, world["coordinator", "jura"], lent.event.id, undo_minutes=15,
               idempotency_key="u-jura", reason="erreur")
    session.commit()


def test_a_lend_takes_the_deposit_of_the_box_territory(session, client, two_territories,
                                                        token_for):
    world = two_territories
    bocal = session.scalar(select(Container).where(
        Container.code == world["boxes"][6])).type
    session.add(TerritoryDeposit(territory_id=world["jura"].id, type_id=bocal.id,
                                 deposit_cents=300))
    session.commit()
    lent = record_scan(session, actor=world["restaurant", "jura"], code=world["boxes"][6],
                       action="lend")
    assert lent.deposit.amount_cents == 300
    status, body = submit_scan(session, world["restaurant", "jura"], {
        "code": world["boxes"][7], "action": "lend", "idempotency_key": "dep-1"})
    assert status == 201 and body["deposit"]["amount_cents"] == 300
    assert body["item"]["deposit_cents"] == 300
    session.commit()
    looked = client.get(f"/api/v1/items/{world['boxes'][8]}",
                        headers=token_for(world["restaurant", "jura"])).get_json()
    assert looked["deposit_cents"] == 300


def test_assign_gives_a_member_and_its_rows_the_territory(session, make_org, make_user):
    site = make_user("washing_site")
    box = commission_containers(session, actor=site, type_code="bocal-500", count=1,
                                holder_code=site.org.code)[0]
    batch = open_batch(session, actor=site, type_code="bocal-500")
    session.commit()
    assert box.territory_id is None and batch.territory_id is None
    jura = create_territory(session, code="jura", name="Jura")
    join_territory(session, jura, site.org)
    session.commit()
    session.expire_all()
    assert site.org.territory_id == jura.id
    assert session.get(Container, box.id).territory_id == jura.id
    assert session.get(Label, box.code).territory_id == jura.id
    assert _event(session, box.code, "commission").territory_id == jura.id
    assert batch.territory_id == jura.id


def test_territory_codes_are_checked(session):
    create_territory(session, code="jura", name="Jura")
    with pytest.raises(Conflict):
        create_territory(session, code="jura", name="Jura bis")
    for bad in ("", "Jura", "a b", "x" * 40):
        with pytest.raises(ValidationError):
            create_territory(session, code=bad, name="X")
    with pytest.raises(ValidationError):
        create_territory(session, code="doubs", name="  ")


def test_the_scope_a_reader_asks_for(session, two_territories):
    world = two_territories
    national = Scope.WHOLE
    jura = scope_of(world["coordinator", "jura"].org)
    assert jura.territory_code == "jura" and not jura.whole
    assert scope_for_code(session, national, "doubs").territory_code == "doubs"
    assert scope_for_code(session, jura, None) == jura
    assert scope_for_code(session, jura, "jura") == jura
    with pytest.raises(Forbidden):
        scope_for_code(session, jura, "doubs")
    with pytest.raises(NotFound):
        scope_for_code(session, national, "nowhere")
    assert jura.sees(world["restaurant", "jura"].org)
    assert not jura.sees(world["restaurant", "doubs"].org)
    assert national.sees(world["restaurant", "doubs"].org)


def test_the_log_lets_an_empty_territory_be_filled_once_and_nothing_else(session,
                                                                         two_territories):
    world = two_territories
    lend = record_scan(session, actor=world["restaurant", "jura"], code=world["boxes"][9],
                       action="lend").event
    session.commit()
    for table in ("events", "deposit_entries"):
        column = "id" if table == "events" else "event_id"
        for change in (f"territory_id = {world['doubs'].id}", "territory_id = NULL",
                       "occurred_at = occurred_at", f"territory_id = {world['doubs'].id}, "
                       "recorded_at = recorded_at"):
            with pytest.raises(DatabaseError):
                with session.begin_nested():
                    session.execute(text(f"UPDATE {table} SET {change} "
                                         f"WHERE {column} = :id"), {"id": lend.id})


def test_the_scanner_names_the_members_of_ones_territory(client, login, session,
                                                         two_territories):
    """Destinations offered on /scan: its territory's members (the API takes any code)."""
    login(two_territories["coordinator", "jura"])
    page = client.get("/scan").text
    config = json.loads(re.search(
        r'<script type="application/json" id="scan-config">(.*?)</script>', page, re.S)[1])
    codes = {org["code"] for org in config["destinations"]}
    assert "restaurant-jura" in codes and "washing-site-jura" in codes
    assert not {code for code in codes if code.endswith("-doubs")}


def test_the_public_page_lists_the_box_territory_places_first(session, two_territories):
    from bouteilles.services.items.public_page import return_places
    world = two_territories
    for territory in ("jura", "doubs"):
        places, total = return_places(session, "box", territory_id=world[territory].id)
        assert total == 2 and places[0].code == f"restaurant-{territory}"


def test_the_counter_announces_its_territory_deposit(session, two_territories):
    from bouteilles.models import ContainerType
    from bouteilles.services.pages.restaurant import usual_deposit_cents
    world = two_territories
    for box_type in session.scalars(select(ContainerType).where(ContainerType.family == "box")):
        session.add(TerritoryDeposit(territory_id=world["doubs"].id, type_id=box_type.id,
                                     deposit_cents=200))
    session.commit()
    assert usual_deposit_cents(session, world["doubs"].id) == 200
    assert usual_deposit_cents(session, world["jura"].id) == 500
    assert usual_deposit_cents(session) == 500
