"""A member's share of the month: containers taken back × the month's per-unit figures."""

from __future__ import annotations

from datetime import datetime

import pytest

from bouteilles.models import utcnow
from bouteilles.services.deposits import PARIS
from bouteilles.services.impact.figures import monthly_impact, twelve_months
from bouteilles.services.impact.member_share import _share
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch


def test_share_rounds_once_half_away_from_zero():
    assert _share(3, 3576, 190) == 56          # 56.46
    assert _share(1, 5, 2) == 3                # 2.5 → 3
    assert _share(1, -5, 2) == -3              # -2.5 → -3
    assert _share(5, 100, 0) == 0              # no batch of that type: nothing to share
    assert _share(0, 100, 10) == 0


@pytest.fixture
def month(session, actors, make_container, make_crate, scan):
    """At one restaurant: 2 bocal-500 and 1 bocal-750 taken back; a shop takes back a crate."""
    coord, resto = actors["coordinator"], actors["restaurant"]
    batch = open_batch(session, actor=coord, type_code="bocal-500",
                       site_code=actors["washing_site"].org.code)
    add_inputs(session, batch, actor=coord, count=200)
    close_batch(session, batch, actor=coord, clean=190, rejected={"broken": 10},
                transport=[{"km": "12.5", "mode": "van"}], closed_at=utcnow())
    for type_code in ("bocal-500", "bocal-500", "bocal-750"):
        code = make_container(type_code, holder=resto.org)
        scan(resto, code, "lend")
        scan(resto, code, "return")
    session.flush()
    return datetime.now(PARIS).strftime("%Y-%m")


def test_member_month(session, actors, month):
    resto = actors["restaurant"].org.code
    mine = monthly_impact(session, month, resto)
    assert mine["scope"] == "member" and mine["containers_reused"] == 3
    by_type = {r["type"]: r for r in mine["by_type"]}
    assert by_type["bocal-500"]["co2e_avoided_g"] == round(2 * 3576 / 190) == 38
    assert by_type["bocal-750"]["co2e_avoided_g"] == 0  # no bocal-750 batch this month
    assert by_type["bocal-750"]["containers_reused"] == 1
    assert mine["co2e_avoided_g"] == sum(r["co2e_avoided_g"] for r in mine["by_type"])
    assert mine["waste_avoided_g"] == round(2 * 1750 / 190)
    # The network's figures are the batches', untouched by any share.
    assert monthly_impact(session, month)["co2e_avoided_g"] == 3576


def test_member_series(session, actors, month):
    series = twelve_months(session, month, actors["restaurant"].org.code)
    assert len(series) == 12 and series[-1]["month"] == month
    assert series[-1]["co2e_avoided_g"] == 38 and series[-1]["containers_reused"] == 3
    assert all(p["containers_reused"] == 0 for p in series[:-1])
    assert series[-1]["batches"] == 0
