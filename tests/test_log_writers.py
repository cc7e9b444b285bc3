"""The guard of tests/log_writers.py catches a write of the log from outside
services/movements (and lets the movements package write)."""

from __future__ import annotations

import log_writers
from sqlalchemy import select, text

from bouteilles.models import Container, Event, utcnow

OUTSIDE = log_writers.PACKAGE / "services" / "items" / "lookup.py"
INSIDE = log_writers.WRITER / "scans.py"


def run_as(path, source: str, **names) -> list[str]:
    """Run `source` as if it were code of the file `path`; the violations it made."""
    start = len(log_writers.violations)
    exec(compile(source, str(path), "exec"), dict(names))
    found = log_writers.violations[start:]
    del log_writers.violations[start:]
    return found


def test_a_statement_writing_the_log_outside_movements_is_caught(session, make_container):
    make_container()
    session.commit()
    statement = "session.execute(text('UPDATE containers SET cycles = cycles'))"
    found = run_as(OUTSIDE, statement, session=session, text=text)
    assert found == ["bouteilles/services/items/lookup.py writes the table containers"]
    assert run_as(INSIDE, statement, session=session, text=text) == []


def test_an_orm_change_outside_movements_is_caught(session, make_container):
    code = make_container()
    session.commit()
    box = session.scalar(select(Container).where(Container.code == code))
    found = run_as(OUTSIDE, "box.state = 'lost'", box=box)
    assert found == ["bouteilles/services/items/lookup.py writes Container.state"]
    event = Event(action="find", code=code, container_id=box.id, type_id=box.type_id,
                  org_id=box.holder_id, holder_id=box.holder_id, to_state="clean",
                  occurred_at=utcnow(), recorded_at=utcnow())
    found = run_as(OUTSIDE, "session.add(event)", session=session, event=event)
    assert found == ["bouteilles/services/items/lookup.py writes a new Event"]
    session.rollback()


def test_tests_themselves_may_write_the_log(session, make_container):
    make_container()
    session.commit()
    start = len(log_writers.violations)
    session.execute(text("UPDATE containers SET cycles = cycles"))
    assert log_writers.violations[start:] == []
    session.rollback()
