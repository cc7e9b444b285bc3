"""Counted returns: boxes taken back and refunded without a scan at the rush, matched
to those boxes when the chain scans them."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from sqlalchemy import select

from bouteilles.models import CountedReturn, Event, utcnow
from bouteilles.services import deposits
from bouteilles.services.movements import overdue_counted_returns, record_counted_return
from bouteilles.services.oversight.replay_check import check_integrity, format_report
from bouteilles.services.pages.restaurant import day_cash
from bouteilles.services.periods import paris_today


def _scan(client, headers, code, action, **more):
    answer = client.post("/api/v1/scans", headers=headers, json={
        "code": code, "action": action, "idempotency_key": uuid4().hex, **more})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_boxes_counted_at_the_rush_settle_as_if_scanned_at_the_counter(
        client, session, login, actors, make_user, token_for, make_container):
    lender, counter = actors["restaurant"], make_user("restaurant")
    codes = [make_container(holder=lender.org) for _ in range(3)]
    for code in codes:
        _scan(client, token_for(lender), code, "lend")
    login(counter)
    page = client.post("/restaurant/counted-returns", data={"type": "bocal-500", "count": "2",
                                                            "note": "midi"})
    assert page.status_code == 302
    shown = client.get("/restaurant/counted-returns").get_data(as_text=True)
    assert "midi" in shown and "10,00" in shown
    assert day_cash(session, counter.org_id, paris_today()).refunded_cents == 1000
    session.rollback()

    collector = token_for(actors["collector"])
    first = _scan(client, collector, codes[0], "collect")
    assert first["event"]["anomaly"] is None
    assert first["deposit"] == {"kind": "refunded", "amount_cents": 500, "org": None}
    second = _scan(client, collector, codes[1], "collect")
    assert second["event"]["anomaly"] is None
    # Two counted, two matched: the third box skipped its return for real.
    third = _scan(client, collector, codes[2], "collect")
    assert third["event"]["anomaly"] == "skipped_return"
    assert third["deposit"]["kind"] == "forfeited"

    session.rollback()
    counted = session.scalars(select(CountedReturn)).one()
    assert (counted.count, counted.matched) == (2, 2)
    assert deposits.settlements(session) == [
        {"from": lender.org.code, "to": counter.org.code, "amount_cents": 1000}]
    # The refunds are in the day the restaurant counted them, once.
    assert day_cash(session, counter.org_id, paris_today()).refunded_cents == 1000
    report = check_integrity(session)
    assert report.ok, format_report(report)


def test_a_count_matches_its_own_type_only_and_after_it_was_made(
        client, session, actors, make_user, token_for, make_container):
    lender, counter = actors["restaurant"], make_user("restaurant")
    code = make_container("bocal-500", holder=lender.org)
    _scan(client, token_for(lender), code, "lend")
    record_counted_return(session, counter, type_code="bocal-750", count=1)
    session.commit()
    collect = _scan(client, token_for(actors["collector"]), code, "collect")
    assert collect["event"]["anomaly"] == "skipped_return"
    earlier = (utcnow() - timedelta(days=2)).isoformat()
    code2 = make_container("bocal-750", holder=lender.org)
    _scan(client, token_for(lender), code2, "lend", occurred_at=(
        utcnow() - timedelta(days=3)).isoformat())
    before = _scan(client, token_for(actors["collector"]), code2, "collect",
                   occurred_at=earlier)
    assert before["event"]["anomaly"] == "skipped_return"


def test_a_count_left_pending_shows_as_an_anomaly(client, session, login, actors, make_user):
    counter = make_user("restaurant")
    old = record_counted_return(session, counter, type_code="bocal-500", count=3,
                                occurred_at=utcnow() - timedelta(days=20))
    record_counted_return(session, counter, type_code="bocal-500", count=1)
    session.commit()
    overdue = overdue_counted_returns(session, overdue_days=14).items
    assert [(row.id, row.pending, row.pending_cents) for row in overdue] == [(old.id, 3, 1500)]
    session.rollback()
    login(actors["coordinator"])
    page = client.get("/admin/anomalies?view=counted").get_data(as_text=True)
    assert counter.org.name in page and "15,00" in page


def test_a_count_is_refused_when_absurd(client, login, make_user):
    login(make_user("restaurant"))
    for count in ("0", "501", "abc"):
        page = client.post("/restaurant/counted-returns", data={"type": "bocal-500",
                                                                "count": count})
        assert page.status_code == 422, count
    assert client.post("/restaurant/counted-returns",
                       data={"type": "nope", "count": "2"}).status_code == 422


def test_no_event_is_written_for_a_count(session, make_user):
    counter = make_user("restaurant")
    record_counted_return(session, counter, type_code="bocal-500", count=2)
    session.commit()
    assert session.scalars(select(Event).where(Event.org_id == counter.org_id)).all() == []
