"""Settlements netted per pair of members, marked paid and cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bouteilles.services import settlements as service
from bouteilles.services.deposits import PARIS, net, settlements
from bouteilles.services.errors import Conflict, Forbidden, InvalidTransition, ValidationError
from bouteilles.services.periods import paris_today


def rows(*owed):
    return [{"from": a, "to": b, "amount_cents": cents} for a, b, cents in owed]


def test_netting_pays_the_difference_and_cancels_equal_amounts():
    # fruitière → comptoir 180 €, comptoir → fruitière 160 €: one line of 20 €.
    gross = rows(("fruitiere", "comptoir", 18_000), ("comptoir", "fruitiere", 16_000))
    assert net(gross) == rows(("fruitiere", "comptoir", 2_000))
    assert net(gross, detail=True)[0]["gross"] == {"from_to_cents": 18_000,
                                                   "to_from_cents": 16_000}
    assert net(rows(("a", "b", 500), ("b", "a", 500))) == []
    # Three members: each pair on its own.
    three = rows(("a", "b", 1_000), ("b", "a", 500), ("b", "c", 700), ("c", "a", 300))
    assert net(three) == rows(("a", "b", 500), ("b", "c", 700), ("c", "a", 300))


@pytest.fixture
def last_month():
    """A moment of a month that has ended (Paris), and that month."""
    at = (datetime.now(UTC) - timedelta(days=35)).replace(hour=9)  # mid-day in Paris
    return at, at.astimezone(PARIS).strftime("%Y-%m")


@pytest.fixture
def owed(make_user, make_container, scan, last_month):
    """Two boxes lent at a and returned at b, one lent at b returned at a, last month:
    a owes b 5 € net (10 € one way, 5 € the other)."""
    at, _month = last_month
    a, b = make_user("restaurant"), make_user("restaurant")

    def lend_and_return(lender, refunder):
        code = make_container(holder=lender.org)
        scan(lender, code, "lend", occurred_at=at)
        scan(refunder, code, "return", occurred_at=at + timedelta(hours=1))

    lend_and_return(a, b)
    lend_and_return(a, b)
    lend_and_return(b, a)
    return a, b, lend_and_return


def test_members_settlements_are_netted(session, owed, last_month):
    a, b, _ = owed
    month = last_month[1]
    assert settlements(session, month=month) == rows((a.org.code, b.org.code, 500))
    assert settlements(session, org_id=b.org_id, month=month, gross=True) == [
        {"from": a.org.code, "to": b.org.code, "amount_cents": 500,
         "gross": {"from_to_cents": 1000, "to_from_cents": 500}}]


def _mark(session, actor, payer, payee, month, **kw):
    return service.mark_paid(session, actor, month=month, payer_code=payer.org.code,
                             payee_code=payee.org.code, method=kw.pop("method", "transfer"),
                             paid_on=kw.pop("paid_on", paris_today()), **kw)


@pytest.mark.parametrize("who", ["payer", "payee", "coordinator"])
def test_either_side_or_the_coordination_marks_paid(session, owed, last_month, actors, who):
    a, b, _ = owed
    actor = {"payer": a, "payee": b, "coordinator": actors["coordinator"]}[who]
    line = _mark(session, actor, a, b, last_month[1], reference="VIR 12")
    assert (line.state, line.paid_cents, line.remaining_cents) == ("paid", 500, 0)
    assert line.payment.recorded_by_id == actor.id and line.payment.reference == "VIR 12"
    with pytest.raises(Conflict):  # once
        _mark(session, b, a, b, last_month[1])


def test_who_may_not_mark(session, owed, last_month, make_user, make_org):
    a, b, _ = owed
    month = last_month[1]
    reader = make_user("coordinator", org=make_org("coordinator"))
    reader.is_admin = False
    for outsider in (make_user("restaurant"), reader):
        with pytest.raises(Forbidden):
            _mark(session, outsider, a, b, month)
    this_month = datetime.now(PARIS).strftime("%Y-%m")
    with pytest.raises(InvalidTransition, match="pas terminé"):
        _mark(session, a, a, b, this_month)
    with pytest.raises(ValidationError, match="futur"):
        _mark(session, a, a, b, month, paid_on=paris_today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="avant"):
        _mark(session, a, a, b, month, paid_on="2000-01-01")
    with pytest.raises(Conflict, match="ne doit rien"):  # the other way round
        _mark(session, a, b, a, month)


def test_cancel_and_what_is_left_after_a_late_change(session, owed, last_month):
    a, b, lend_and_return = owed
    month = last_month[1]
    _mark(session, b, a, b, month, method="cheque")
    cancelled = service.cancel_mark(session, a, month=month, payer_code=a.org.code,
                                    payee_code=b.org.code)
    assert cancelled.payment is None and cancelled.state == "unpaid"
    with pytest.raises(Conflict):
        service.cancel_mark(session, a, month=month, payer_code=a.org.code,
                            payee_code=b.org.code)
    _mark(session, a, a, b, month, method="cash")
    session.commit()
    # A return recorded late in that month: 5 € more owed, the mark says 5 € paid.
    lend_and_return(a, b)
    [line] = service.month_lines(session, month, org_id=a.org_id)
    assert (line.amount_cents, line.paid_cents, line.remaining_cents, line.state) == \
        (1000, 500, 500, "partly")
    assert line.as_json()["paid"]["method"] == "cash"
    assert line.as_json()["gross"] == {"from_to_cents": 1500, "to_from_cents": 500}
