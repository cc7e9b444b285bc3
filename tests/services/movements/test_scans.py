"""Scans: idempotency, deposits, settlements, crates, append-only log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError

from bouteilles.models import Container, DepositEntry, Event
from bouteilles.services import lifecycle
from bouteilles.services.deposits import deposit_rows, network_balance, settlements
from bouteilles.services.errors import InvalidTransition, ValidationError
from bouteilles.services.movements import record_scan, submit_scan
from bouteilles.services.washing.batches import open_batch


def count_events(session) -> int:
    return session.scalar(select(func.count()).select_from(Event))


def test_same_key_twice_same_body_one_event(session, actors, make_container):
    code = make_container()
    resto = actors["restaurant"]
    scan = {"code": code, "action": "lend", "idempotency_key": "k-1"}
    before = count_events(session)
    first = submit_scan(session, resto, scan)
    second = submit_scan(session, resto, dict(scan))
    assert first[0] == 201 and second[0] == 200
    assert first[1] == second[1]
    assert count_events(session) == before + 1


def test_refusal_is_replayed_not_reconsidered(session, actors, make_container):
    code = make_container()
    resto = actors["restaurant"]
    status, body = submit_scan(session, resto, {"code": code, "action": "return",
                                                "idempotency_key": "r-1"})
    assert status == 201 and body["event"]["anomaly"] == "skipped_lend"
    refused = submit_scan(session, resto, {"code": code, "action": "return",
                                           "idempotency_key": "r-2"})
    assert refused[0] == 409 and refused[1]["error"]["code"] == "invalid_transition"
    assert submit_scan(session, resto, {"code": code, "action": "return",
                                        "idempotency_key": "r-2"}) == (200, refused[1])


def test_lend_takes_and_return_refunds_once(session, actors, make_container):
    code = make_container("bocal-500")
    resto = actors["restaurant"]
    lent = record_scan(session, actor=resto, code=code, action="lend")
    assert lent.deposit.kind == "taken" and lent.deposit.amount_cents == 500
    back = record_scan(session, actor=resto, code=code, action="return")
    assert back.deposit.kind == "refunded" and back.deposit.amount_cents == 500
    with pytest.raises(InvalidTransition, match="déjà été rendu"):
        record_scan(session, actor=resto, code=code, action="return")
    assert session.scalar(select(func.count()).select_from(DepositEntry)
                          .where(DepositEntry.kind == "refunded")) == 1
    assert network_balance(session) == (0, 0)


def test_return_at_another_restaurant_creates_settlement(session, actors, make_user,
                                                         make_container):
    lender = actors["restaurant"]
    other = make_user("restaurant")
    code = make_container(holder=lender.org)
    record_scan(session, actor=lender, code=code, action="lend")
    record_scan(session, actor=other, code=code, action="return")
    rows = {r["org"]: r for r in deposit_rows(session)}
    assert rows[lender.org.code]["held_cents"] == 500
    assert rows[other.org.code]["held_cents"] == -500
    assert settlements(session) == [
        {"from": lender.org.code, "to": other.org.code, "amount_cents": 500}]


def test_lost_then_found_keeps_the_books(session, actors, make_container):
    code = make_container()
    record_scan(session, actor=actors["restaurant"], code=code, action="lend")
    record_scan(session, actor=actors["coordinator"], code=code, action="lose")
    assert network_balance(session) == (0, 0)
    record_scan(session, actor=actors["coordinator"], code=code, action="find")
    assert network_balance(session) == (500, 500)
    record_scan(session, actor=actors["coordinator"], code=code, action="lose")
    back = record_scan(session, actor=actors["restaurant"], code=code, action="return")
    assert back.event.anomaly == "found_on_return"
    assert back.deposit.kind == "refunded"
    assert network_balance(session) == (0, 0)


def test_crate_recount_is_recorded(session, actors, make_crate):
    code = make_crate(quantity=480)
    result = record_scan(session, actor=actors["collector"], code=code, action="collect",
                         quantity=470)
    assert result.event.quantity == 470 and result.event.quantity_delta == -10
    assert result.event.anomaly == "recount"
    assert result.item.quantity == 470


def test_scan_time_is_kept_and_checked(session, actors, make_container):
    code = make_container()
    earlier = datetime.now(UTC) - timedelta(hours=5)
    result = record_scan(session, actor=actors["restaurant"], code=code, action="lend",
                         occurred_at=earlier)
    assert result.event.occurred_at == earlier
    with pytest.raises(ValidationError):
        record_scan(session, actor=actors["restaurant"], code=code, action="return",
                    occurred_at=datetime.now(UTC) + timedelta(days=1))


def test_events_are_never_updated_or_deleted(session, actors, make_container):
    code = make_container()
    record_scan(session, actor=actors["restaurant"], code=code, action="lend")
    session.commit()
    for statement in (update(Event).values(action="return"), delete(Event),
                      update(DepositEntry).values(amount_cents=1), delete(DepositEntry)):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(statement)
        session.rollback()
    assert count_events(session) == 2


@pytest.mark.parametrize("action", [a for a in lifecycle.SCAN_ACTIONS
                                    if a not in ("deliver", "collect")])
def test_to_goes_only_with_deliver_and_collect(session, actors, make_user, make_container,
                                               action):
    """A destination on any other action is bad input, refused before the record is read."""
    code = make_container()
    other = make_user("restaurant").org
    before = count_events(session)
    with pytest.raises(ValidationError, match="« to ».* ne va qu'avec"):
        record_scan(session, actor=actors["coordinator"], code=code, action=action,
                    to=other.code, reason="broken" if action == "reject" else None)
    box = session.scalars(select(Container).where(Container.code == code)).one()
    assert (box.state, box.holder_id) == ("clean", actors["restaurant"].org_id)
    assert count_events(session) == before


ACTIONS = st.sampled_from(["lend", "return", "collect", "sort", "wash", "reject", "lose",
                           "find", "deliver"])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.integers(0, 3), ACTIONS, st.integers(0, 2)),
                      min_size=1, max_size=40))
def test_deposit_invariant_after_random_scans(session, actors, make_user, make_container,
                                              steps):
    """held = deposit × boxes in use that were lent with a deposit, whatever happens."""
    restaurants = [actors["restaurant"], actors.setdefault("r2", make_user("restaurant"))]
    site = actors["washing_site"]
    codes = [make_container("bocal-500", holder=restaurants[0].org) for _ in range(4)]
    for type_code in ("bocal-500",):
        open_batch(session, actor=site, type_code=type_code)
    who = {"lend": restaurants, "return": restaurants, "collect": [actors["collector"]],
           "sort": [site], "wash": [site], "reject": [site], "lose": [actors["coordinator"]],
           "find": [actors["coordinator"]], "deliver": [actors["collector"]]}
    for box, action, person in steps:
        actor = who[action][person % len(who[action])]
        try:
            with session.begin_nested():
                record_scan(session, actor=actor, code=codes[box], action=action,
                            reason="broken" if action == "reject" else None,
                            to=restaurants[0].org.code if action == "deliver" else None)
        except InvalidTransition:
            pass
        ledger, carried = network_balance(session)
        lent_with_deposit = session.scalar(
            select(func.count()).select_from(Container)
            .where(Container.state == "in_use", Container.deposit_held_cents > 0))
        assert ledger == carried == 500 * lent_with_deposit
