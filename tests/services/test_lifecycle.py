"""The whole transition table, walked through the real services.

For every scan action from every state, put a real container in that state,
record the scan, and compare what happened with what the table says.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bouteilles.models import STATES, Container, Event
from bouteilles.services import access, lifecycle
from bouteilles.services.deposits import network_balance
from bouteilles.services.errors import Forbidden, InvalidTransition, ValidationError
from bouteilles.services.movements import check_scan, record_scan
from bouteilles.services.washing.batches import open_batch

# How to bring a fresh clean box to each state (as the coordinator).
PATHS = {
    "clean": [],
    "in_use": ["lend"],
    "returned": ["lend", "return"],
    "collected": ["lend", "return", "collect"],
    "sorted": ["lend", "return", "collect", "sort"],
    "washing": ["lend", "return", "collect", "sort", "wash"],
    "rejected": ["reject"],
    "lost": ["lend", "lose"],
}
CASES = [(action, state) for action in lifecycle.SCAN_ACTIONS if action != "commission"
         for state in STATES]


def extra_for(action: str, site, batch) -> dict:
    return {
        "deliver": {"to": site.code},
        "reject": {"reason": "broken"},
        "wash": {"batch": batch.code},
    }.get(action, {})


def expected(action: str, state: str) -> lifecycle.Rule:
    """What the table says, read directly from it (not through decide())."""
    if state == "rejected":
        return lifecycle.Rule("refused")
    return lifecycle.TABLE[action].get(state, lifecycle.Rule("refused"))


def test_paths_cover_every_state():
    assert set(PATHS) == set(STATES)


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_transition(session, actors, make_container, make_org, action, state):
    coordinator = actors["coordinator"]
    site = make_org("washing_site")
    batch = open_batch(session, actor=coordinator, type_code="bocal-500", site_code=site.code)
    code = make_container("bocal-500")
    for step in PATHS[state]:
        record_scan(session, actor=coordinator, code=code, action=step,
                    **extra_for(step, site, batch))
    box = session.scalar(select(Container).where(Container.code == code))
    assert box.state == state
    events_before = session.scalar(select(func.count()).select_from(Event))

    rule = expected(action, state)
    if rule.outcome == "refused":
        with pytest.raises(InvalidTransition) as refused:
            record_scan(session, actor=coordinator, code=code, action=action,
                        **extra_for(action, site, batch))
        assert str(refused.value), "a refusal says what the record shows"
        assert "{" not in str(refused.value), "every field of the message is filled"
        assert session.scalar(select(func.count()).select_from(Event)) == events_before
        assert box.state == state
    else:
        result = record_scan(session, actor=coordinator, code=code, action=action,
                             **extra_for(action, site, batch))
        assert result.event.anomaly == rule.anomaly
        assert (rule.outcome == "anomaly") == (result.event.anomaly is not None)
        assert box.state == rule.to_state
        assert session.scalar(select(func.count()).select_from(Event)) == events_before + 1
    ledger, carried = network_balance(session)
    assert ledger == carried


def test_sort_with_a_reason_rejects(session, actors, make_container):
    code = make_container()
    for step in ("lend", "return", "collect"):
        record_scan(session, actor=actors["coordinator"], code=code, action=step)
    result = record_scan(session, actor=actors["coordinator"], code=code, action="sort",
                         reason="chipped")
    assert result.item.state == "rejected"
    assert result.item.reject_reason == "chipped"


KIND_CASES = [(kind, action) for kind in
              ("restaurant", "winegrower", "washing_site", "collection_point", "collector",
               "event_organiser", "coordinator")
              for action in lifecycle.SCAN_ACTIONS if action != "commission"]


@pytest.mark.parametrize(("kind", "action"), KIND_CASES, ids=[f"{k}-{a}" for k, a in KIND_CASES])
def test_who_may_scan_what(session, actors, make_container, kind, action):
    code = make_container()
    allowed = kind in access.kinds_with(action)
    try:
        record_scan(session, actor=actors[kind], code=code, action=action,
                    reason="broken" if action == "reject" else None,
                    to=actors[kind].org.code if action == "deliver" else None)
        permitted = True
    except Forbidden:
        permitted = False
    except InvalidTransition:
        permitted = True  # past the permission check; the state refused it
    assert permitted == allowed


def test_only_deliver_and_collect_take_a_destination():
    """`to` moves a thing to a named organisation; on a lend or a return it would
    write into another member's stock."""
    assert {a for a in lifecycle.SCAN_ACTIONS if lifecycle.takes_destination(a)} == {
        "deliver", "collect"}
    assert lifecycle.next_holder("lend", actor_org_id=1, to_org_id=2, holder_id=3) == 1
    assert lifecycle.next_holder("collect", actor_org_id=1, to_org_id=2, holder_id=3) == 2


def test_the_life_cycle_flags_a_thing_scanned_away_from_its_holder():
    """`unexpected_holder` is decided in one place, for containers and crates alike."""
    from bouteilles.services import lifecycle as lc

    lend = lc.decide("lend", "clean")
    assert lc.anomaly_of(lend, "lend", holder_id=1, actor_org_id=1,
                         actor_kind="restaurant") is None
    assert lc.anomaly_of(lend, "lend", holder_id=1, actor_org_id=2,
                         actor_kind="restaurant") == "unexpected_holder"
    assert lc.anomaly_of(lend, "lend", holder_id=1, actor_org_id=2,
                         actor_kind="coordinator") is None
    collect = lc.decide("collect", "returned")  # brings the thing to the scanner: no flag
    assert lc.anomaly_of(collect, "collect", holder_id=1, actor_org_id=2,
                         actor_kind="collector") is None
    skipped = lc.decide("return", "clean")  # the table's own anomaly comes first
    assert lc.anomaly_of(skipped, "return", holder_id=1, actor_org_id=2,
                         actor_kind="restaurant") == "skipped_lend"


def test_a_batch_close_hands_the_thing_to_the_site_and_ends_a_cycle():
    from bouteilles.services import lifecycle as lc

    assert lc.next_holder("batch_close", actor_org_id=9, to_org_id=None, holder_id=3,
                          site_id=7) == 7
    assert lc.completes_cycle("batch_close", "clean")
    assert not lc.completes_cycle("wash", "washing")
    assert not lc.completes_cycle("batch_close", "rejected")


REQUIRED = [(action, field) for action, fields in lifecycle.FIELDS.items()
            for field, rule in fields.items() if rule == "required"]


@pytest.mark.parametrize(("action", "field"), REQUIRED)
def test_a_required_field_is_refused_when_missing(action, field):
    """The life cycle's table of fields is what the scan's check enforces."""
    now = datetime.now(UTC)
    given = {"reason": "broken", "to": "somewhere", "quantity": None, field: None}
    with pytest.raises(ValidationError):
        check_scan("coordinator", action=action, occurred_at=now, now=now, **given)


def test_every_scan_action_has_its_fields():
    assert set(lifecycle.FIELDS) == set(lifecycle.SCAN_ACTIONS)
    assert lifecycle.DESTINATION_ACTIONS == {"deliver", "collect"}
