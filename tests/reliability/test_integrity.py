"""`flask --app bouteilles check`: the invariants hold, and a corrupted projection is caught."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from bouteilles.demo.network import load_demo
from bouteilles.services.oversight.replay_check import check_integrity
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch


@pytest.fixture
def history(session, actors, make_container, make_crate, scan):
    """A little of everything: lends, returns, a crate, a closed batch, a lost box."""
    resto, other = actors["restaurant"], actors["restaurant"].org
    site = actors["washing_site"]
    codes = [make_container(holder=other) for _ in range(6)]
    for code in codes[:4]:
        scan(resto, code, "lend")
    scan(resto, codes[0], "return")
    scan(actors["coordinator"], codes[1], "lose")
    scan(actors["collector"], codes[0], "collect", to=site.org.code)
    scan(site, codes[0], "sort")
    crate = make_crate(holder=site.org, state="collected", quantity=40)
    batch = open_batch(session, actor=site, type_code="bocal-500")
    add_inputs(session, batch, actor=site, codes=[codes[0]], count=3)
    close_batch(session, batch, actor=site, clean=4, rejected={})
    bottles = open_batch(session, actor=site, type_code="bouteille-75")
    scan(site, crate, "wash", batch=bottles.code)
    close_batch(session, bottles, actor=site, clean=38, rejected={"broken": 2})
    still_open = open_batch(session, actor=site, type_code="bocal-500")
    add_inputs(session, still_open, actor=site, codes=[codes[5]], count=5)
    session.commit()
    return {"codes": codes, "crate": crate}


def _problems(session) -> list[str]:
    session.expire_all()
    report = check_integrity(session)
    session.rollback()
    return [p.check for p in report.problems]


def test_check_passes_on_a_varied_history(runner, history):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: every invariant holds")


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                    reason="the demo history is slow to load; SQLite suffices")
def test_check_passes_on_the_demo_network(session, runner):
    load_demo(session)
    session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output


def test_the_demo_s_past_months_count_their_lends(session):
    """The demo plays its history as recorded when it happened: an ended month's
    circulation (which counts what was recorded before the month ended) is not empty."""
    from bouteilles.services.impact.funders import circulation
    from bouteilles.services.periods import paris_today

    load_demo(session)
    session.commit()
    today = paris_today()
    last_month = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
    figures = circulation(session, last_month, None)
    assert figures["lends"] > 0 and figures["returns"] > 0, figures


@pytest.mark.parametrize("sql, check", [
    ("UPDATE containers SET state = 'clean' WHERE code = :code", "replay"),
    ("UPDATE containers SET holder_id = (SELECT max(id) FROM organisations) "
     "WHERE code = :code", "replay"),
    ("UPDATE containers SET cycles = cycles + 1 WHERE code = :code", "replay"),
    ("UPDATE containers SET deposit_held_cents = 0 WHERE code = :code", "deposits"),
    ("UPDATE crates SET quantity = quantity + 5 WHERE code = :crate", "replay"),
    ("UPDATE batches SET inputs = inputs + 1 WHERE status = 'open'", "batches"),
])
def test_check_fails_on_a_corrupted_projection(session, runner, history, sql, check):
    session.execute(text(sql), {"code": history["codes"][2], "crate": history["crate"]})
    session.commit()
    assert check in _problems(session)
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "FAILED" in result.output and f"[{check}]" in result.output


def test_check_sees_an_event_removed_behind_the_triggers(session, history):
    """Drop the append-only triggers, delete an event in mid-history: both are reported."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("ALTER TABLE events DISABLE TRIGGER events_append_only"))
    else:
        session.execute(text("DROP TRIGGER events_no_delete"))
    session.execute(text(
        "DELETE FROM events WHERE id = (SELECT min(id) FROM events WHERE action = 'collect')"))
    session.commit()
    problems = _problems(session)
    assert "append_only" in problems and "replay" in problems


def test_the_log_refuses_updates_and_deletes(session, history):
    for sql in ("UPDATE events SET to_state = 'clean'", "DELETE FROM events",
                "DELETE FROM deposit_entries"):
        with pytest.raises(Exception, match="append-only"):
            session.execute(text(sql))
        session.rollback()
