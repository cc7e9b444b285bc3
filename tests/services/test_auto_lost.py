"""Boxes with a customer longer than LOST_DAYS: declared lost by the network,
deposit forfeited; brought back later, reinstated and refunded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bouteilles.models import Container, DepositEntry, Event, utcnow
from bouteilles.services.deposits import network_balance
from bouteilles.services.movements import commission_containers, declare_overdue_lost
from bouteilles.services.territories import create_territory


def test_a_box_out_too_long_is_declared_lost_then_reinstated_on_return(
        session, actors, make_user, make_container, scan):
    lender, elsewhere = actors["restaurant"], make_user("restaurant")
    coordination = actors["coordinator"].org
    now = utcnow()
    old, recent = make_container(), make_container()
    scan(lender, old, "lend", occurred_at=now - timedelta(days=61))
    scan(lender, recent, "lend", occurred_at=now - timedelta(days=59))

    declared = declare_overdue_lost(session, lost_days=60, now=now)
    session.commit()

    assert [(loss.code, loss.lender_id) for loss in declared] == [(old, lender.org_id)]
    box = session.scalar(select(Container).where(Container.code == old))
    assert box.state == "lost"
    event = session.get(Event, declared[0].event_id)
    assert (event.action, event.org_id, event.user_id, event.detail) == (
        "lose", coordination.id, None, {"automatic": True, "after_days": 60})
    entries = session.scalars(select(DepositEntry.kind).where(DepositEntry.container_id == box.id)
                              .order_by(DepositEntry.id)).all()
    assert entries == ["taken", "forfeited"]
    assert network_balance(session)[0] == network_balance(session)[1]
    assert session.scalar(select(Container.state).where(Container.code == recent)) == "in_use"

    assert declare_overdue_lost(session, lost_days=60, now=now) == []

    scan(elsewhere, old, "return")
    entries = session.execute(select(DepositEntry.kind, DepositEntry.org_id)
                              .where(DepositEntry.container_id == box.id)
                              .order_by(DepositEntry.id)).all()
    assert [tuple(entry) for entry in entries[2:]] == [
        ("reinstated", lender.org_id), ("refunded", elsewhere.org_id)]
    ledger, carried = network_balance(session)
    assert ledger == carried


def test_the_home_territorys_coordination_declares_it(session, make_user, make_org, scan):
    jura = create_territory(session, code="jura", name="Jura")
    national = make_user("coordinator")
    local = make_user("coordinator", org=make_org("coordinator", territory_id=jura.id))
    lender = make_user("restaurant", org=make_org("restaurant", territory_id=jura.id))
    box = commission_containers(session, actor=local, type_code="bocal-500", count=1,
                                holder_code=lender.org.code)[0]
    session.commit()
    scan(lender, box.code, "lend", occurred_at=utcnow() - timedelta(days=8))

    declared = declare_overdue_lost(session, lost_days=7, now=utcnow())
    session.commit()

    event = session.get(Event, declared[0].event_id)
    assert event.org_id == local.org_id != national.org_id
