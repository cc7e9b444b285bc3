"""Inputs a batch can take: codes on their own, counts within bounds, unusual batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bouteilles.models import Batch, Container, Event
from bouteilles.services.errors import FieldError, InvalidTransition, ValidationError
from bouteilles.services.movements import record_scan
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch
from bouteilles.services.washing.inputs import add_inputs_one_by_one, each_on_its_own
from bouteilles.services.washing.usual import HISTORY, is_unusual, usual_inputs


@pytest.fixture
def site(actors):
    return actors["washing_site"]


def sorted_box(make_container, scan, site, type_code: str) -> str:
    code = make_container(type_code, holder=site.org)
    scan(site, code, "sort")
    return code


@pytest.mark.parametrize("order", ["refused_first", "refused_between", "refused_last"])
def test_codes_of_another_size_are_refused_alone(session, site, make_container, make_crate,
                                                scan, order):
    boxes = [sorted_box(make_container, scan, site, "bocal-500") for _ in range(2)]
    crate = make_crate("bocal-500", quantity=12, state="sorted", holder=site.org)
    larger = sorted_box(make_container, scan, site, "bocal-750")
    larger_crate = make_crate("bocal-750", quantity=6, state="sorted", holder=site.org)
    good = [boxes[0], crate, boxes[1]]
    codes = {"refused_first": [larger, larger_crate, *good],
             "refused_between": [good[0], larger, good[1], larger_crate, good[2]],
             "refused_last": [*good, larger_crate, larger]}[order]
    batch = open_batch(session, actor=site, type_code="bocal-500")
    session.commit()
    outcomes = add_inputs_one_by_one(session, batch, actor=site, codes=codes, count=3)
    session.commit()
    assert [o.code for o in outcomes] == codes
    refused = {o.code: o.refusal for o in outcomes if not o.accepted}
    assert set(refused) == {larger, larger_crate}
    assert all(isinstance(r, InvalidTransition) and "750" in str(r) and "500" in str(r)
               and "de côté" in str(r) for r in refused.values())
    assert batch.inputs == 2 + 12 + 3 and batch.counted_inputs == 3
    # Every event recorded is one of an accepted code, under this batch (no object of a
    # refused savepoint lingers: on SQLite its event id is taken again by the next one).
    washed = session.execute(select(Event.code, Event.quantity).where(
        Event.batch_id == batch.id, Event.action == "wash").order_by(Event.id)).all()
    assert [code for code, _n in washed] == [c for c in codes if c in good]
    assert session.get(Batch, batch.id).inputs == 17


def test_a_refusal_of_the_batch_refuses_everything(session, site, make_container, scan):
    box = sorted_box(make_container, scan, site, "bocal-500")
    batch = open_batch(session, actor=site, type_code="bocal-500")
    with pytest.raises(FieldError, match="100"):
        add_inputs_one_by_one(session, batch, actor=site, codes=[box], count=101, max_count=100)
    with pytest.raises(FieldError) as refused:
        add_inputs(session, batch, actor=site, count=100_001, max_count=100_000)
    assert refused.value.field == "count" and refused.value.status == 422
    assert batch.inputs == 0


def close_history(session, site, inputs: list[int], start: datetime) -> None:
    for i, n in enumerate(inputs):
        batch = open_batch(session, actor=site, type_code="bouteille-75", opened_at=start)
        add_inputs(session, batch, actor=site, count=n)
        close_batch(session, batch, actor=site, clean=n, rejected={},
                    closed_at=start + timedelta(hours=i + 1))


def test_the_usual_batch_is_the_median_of_the_last_closed_ones(session, site, make_user):
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    assert usual_inputs(session, batch) is None and not is_unusual(10**9, None)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    # 25 batches: the first five, huge, are older than the last 20.
    close_history(session, site, [90_000] * 5 + [400, 500, 600, 700] * 5, start)
    assert usual_inputs(session, batch) == 550 and HISTORY == 20
    assert not is_unusual(5_500, 550) and is_unusual(5_501, 550)
    # Another type, another site: their own history (none).
    assert usual_inputs(session, open_batch(session, actor=site, type_code="clavelin-62")) is None
    elsewhere = make_user("washing_site")
    assert usual_inputs(session, open_batch(session, actor=elsewhere,
                                            type_code="bouteille-75")) is None


def test_an_unusual_close_needs_a_confirmation(session, site):
    close_history(session, site, [1_000, 1_200, 800], datetime(2026, 2, 2, tzinfo=UTC))
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, batch, actor=site, count=10_001)  # usual 1,000: above 10,000
    with pytest.raises(FieldError, match="Je confirme") as refused:
        close_batch(session, batch, actor=site, clean=10_001, rejected={},
                    unusual_confirmed=False)
    assert refused.value.field == "confirm_unusual" and batch.status == "open"
    close_batch(session, batch, actor=site, clean=10_001, rejected={}, unusual_confirmed=True)
    assert batch.status == "closed"
    # The API's close (None) asks nothing; nor does a close without history.
    other = open_batch(session, actor=site, type_code="clavelin-62")
    add_inputs(session, other, actor=site, count=50_000)
    close_batch(session, other, actor=site, clean=50_000, rejected={}, unusual_confirmed=False)


def test_a_refusal_after_a_write_leaves_no_object_behind(session, site, make_container, scan):
    """A code refused after its move was written (and loaded) leaves no object naming a row
    that the rollback took away, nor one whose id the next move takes again (SQLite)."""
    first, second = (sorted_box(make_container, scan, site, "bocal-500") for _ in range(2))
    batch = open_batch(session, actor=site, type_code="bocal-500")
    session.commit()
    written: dict[str, int] = {}

    def act(code: str) -> None:
        result = record_scan(session, actor=site, code=code, action="wash", batch=batch.code)
        written[code] = result.event.id
        assert result.event.code == code  # the object is this move's own
        if code == first:
            raise ValidationError("refused after its write")

    outcomes = each_on_its_own(session, [first, second], act)
    assert [o.accepted for o in outcomes] == [False, True]
    if written[first] != written[second]:  # PostgreSQL: the id is not taken again
        assert session.get(Event, written[first]) is None
    assert session.get(Event, written[second]).code == second
    assert session.get(Container, session.get(Event, written[second]).container_id).state \
        == "washing"
    session.commit()
    assert batch.inputs == 1
