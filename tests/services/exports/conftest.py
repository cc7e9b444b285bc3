"""The demo network the exports are checked on, and the months it spans."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bouteilles.demo.network import load_demo
from bouteilles.models import Event
from bouteilles.services.periods import PARIS


@pytest.fixture
def demo(session):
    load_demo(session)
    session.commit()
    return session


def months_of(session) -> list[str]:
    """Every Paris month from the log's first event to its last, as YYYY-MM."""
    first, last = session.execute(select(func.min(Event.occurred_at),
                                         func.max(Event.occurred_at))).one()
    months, moment = [], first.astimezone(PARIS).replace(day=1)
    while moment <= last.astimezone(PARIS):
        months.append(moment.strftime("%Y-%m"))
        moment = moment.replace(year=moment.year + moment.month // 12,
                                month=moment.month % 12 + 1)
    return months


@pytest.fixture
def demo_months(demo) -> list[str]:
    return months_of(demo)
