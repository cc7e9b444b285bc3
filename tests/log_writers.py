"""The one writer of the log, checked on every test: nothing outside
`bouteilles/services/movements/` writes `events`, `deposit_entries`,
`containers` or `crates`.

Loaded as a pytest plugin (tests/conftest.py). Every statement that inserts,
updates or deletes rows of those tables, every new such ORM object added to a
session and every change of a container's or crate's state, holder, owner, cycles,
batch or quantity is traced to the innermost frame of the application's own
code (the database plumbing aside): it must be in the movements package.
Frames of tests and benchmarks are not the application's: a test may write
the tables itself (to try the append-only triggers, say). A test during which
the application wrote those tables from elsewhere fails, naming the writer.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bouteilles.models import Container, Crate, DepositEntry, Event

PACKAGE = Path(__file__).resolve().parent.parent / "bouteilles"
WRITER = PACKAGE / "services" / "movements"
PLUMBING = PACKAGE / "db"  # engines, the driver-level statements, the writer queue
LOG_TABLES = ("events", "deposit_entries", "containers", "crates")
WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
LOG_MODELS = (Event, DepositEntry, Container, Crate)
MOVED = {Container: ("state", "holder_id", "holder", "owner_id", "owner", "cycles", "batch_id"),
         Crate: ("state", "holder_id", "holder", "owner_id", "owner", "quantity", "batch_id")}

violations: list[str] = []


def writer_frame(depth: int = 2) -> Path | None:
    """The file of the innermost application frame (plumbing aside), if any."""
    frame = sys._getframe(depth)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(PACKAGE) and not path.is_relative_to(PLUMBING):
            return path
        if path.name == "session.py" and frame.f_code.co_name in ("flush", "_flush"):
            return None  # an ORM flush: its objects were checked when they changed
        frame = frame.f_back
    return None


def check(what: str) -> None:
    path = writer_frame(3)
    if path is not None and not path.is_relative_to(WRITER):
        violations.append(f"{path.relative_to(PACKAGE.parent)} writes {what}")


def _statement(conn, cursor, statement, parameters, context, executemany) -> None:
    found = WRITE.match(statement)
    if found and found.group(1).lower() in LOG_TABLES:
        check(f"the table {found.group(1).lower()}")


def _added(session, instance) -> None:
    if isinstance(instance, LOG_MODELS):
        check(f"a new {type(instance).__name__}")


def install() -> None:
    event.listen(Engine, "before_cursor_execute", _statement)
    event.listen(Session, "transient_to_pending", _added)
    for model, names in MOVED.items():
        for name in names:
            event.listen(getattr(model, name), "set",
                         lambda target, value, old, initiator, name=name, model=model:
                         check(f"{model.__name__}.{name}"))


install()


@pytest.fixture(autouse=True)
def only_movements_write_the_log():
    """Fail a test during which the application wrote the log from outside movements."""
    start = len(violations)
    yield
    found = violations[start:]
    del violations[start:]
    assert not found, "the log written outside services/movements: " + "; ".join(
        sorted(set(found)))
