"""Month queries over closed batches: Paris calendar months, scopes, twelve-month series."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bouteilles.services.errors import NotFound, ValidationError
from bouteilles.services.impact.figures import last_months, monthly_impact, twelve_months
from bouteilles.services.items.lookup import get_type
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch

# Figures derived by hand in test_impact.py.
WORKED = {"co2e_avoided_g": 335037, "co2e_process_g": 45203, "waste_avoided_g": 543200,
          "to_recycling_g": 16800}
BOXES = {"co2e_avoided_g": 3576, "co2e_process_g": 5924, "waste_avoided_g": 1750,
         "to_recycling_g": 3000}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def washed(session, actors, make_org):
    """Closed batches around March 2026 at two sites, plus one open batch."""
    site = actors["washing_site"]
    other = make_org("washing_site", code="lavage-arbois")

    def batch(type_code, n_in, clean, rejected, closed_at, transport=None, site_code=None):
        b = open_batch(session, actor=actors["coordinator"], type_code=type_code,
                       site_code=site_code or site.org.code)
        add_inputs(session, b, actor=actors["coordinator"], count=n_in)
        return close_batch(session, b, actor=actors["coordinator"], clean=clean,
                           rejected=rejected, transport=transport, closed_at=closed_at)

    van40 = [{"km": 40, "mode": "van"}]
    van12 = [{"km": "12.5", "mode": "van"}]
    made = {
        # 1 March 00:30 in Paris (UTC+1): March, although still February in UTC.
        "first": batch("bouteille-75", 1000, 970, {"broken": 20, "chipped": 10},
                       utc(2026, 2, 28, 23, 30), van40),
        # 31 March 23:30 in Paris (UTC+2 since the 29th): still March.
        "last": batch("bocal-500", 200, 190, {"broken": 10}, utc(2026, 3, 31, 21, 30), van12),
        # 1 April 00:30 in Paris: April.
        "april": batch("bouteille-75", 1000, 970, {"broken": 30}, utc(2026, 3, 31, 22, 30), van40),
        "arbois": batch("bocal-500", 200, 190, {"other": 10}, utc(2026, 3, 15, 9), van12,
                        site_code=other.code),
        "january": batch("bocal-500", 200, 190, {"broken": 10}, utc(2026, 1, 20, 9), van12),
    }
    open_batch(session, actor=actors["coordinator"], type_code="bocal-500",
               site_code=site.org.code)
    session.flush()
    return site.org, other, made


def test_month_totals_follow_the_paris_calendar(session, washed):
    site, other, made = washed
    result = monthly_impact(session, "2026-03")
    assert result["batches"] == 3 and result["scope"] == "network"
    assert result["co2e_avoided_g"] == WORKED["co2e_avoided_g"] + 2 * BOXES["co2e_avoided_g"]
    assert result["waste_avoided_g"] == WORKED["waste_avoided_g"] + 2 * BOXES["waste_avoided_g"]
    assert result["co2e_process_g"] == WORKED["co2e_process_g"] + 2 * BOXES["co2e_process_g"]
    assert result["to_recycling_g"] == WORKED["to_recycling_g"] + 2 * BOXES["to_recycling_g"]
    assert result["containers_reused"] == 970 + 190 + 190
    assert result["containers_rejected"] == 30 + 10 + 10 and result["inputs"] == 1400
    assert [b["code"] for b in result["by_batch"]] == [
        made["first"].code, made["arbois"].code, made["last"].code]
    assert result["by_batch"][0] | WORKED == result["by_batch"][0]
    assert result["factor_sets"] == ["fr-2026-1"]
    by_type = {r["type"]: r for r in result["by_type"]}
    assert by_type["bouteille-75"]["family"] == "bottle"
    assert by_type["bouteille-75"]["co2e_avoided_g"] == WORKED["co2e_avoided_g"]
    assert by_type["bocal-500"]["batches"] == 2
    by_site = {r["site"]: r for r in result["by_site"]}
    assert by_site[other.code]["co2e_avoided_g"] == BOXES["co2e_avoided_g"]
    assert sum(r["co2e_avoided_g"] for r in result["by_site"]) == result["co2e_avoided_g"]
    rejects = {r["reason"]: (r["count"], r["mass_g"]) for r in result["rejects"]}
    assert rejects == {"broken": (30, 20 * 560 + 10 * 300), "chipped": (10, 5600),
                       "other": (10, 3000)}


def test_breakdowns_are_in_code_order_and_add_up_to_the_totals(session, washed):
    site, _other, _made = washed
    for org in (None, site.code):
        result = monthly_impact(session, "2026-03", org)
        for part, key in (("by_type", "type"), ("by_site", "site")):
            rows = result[part]
            assert [r[key] for r in rows] == sorted(r[key] for r in rows)
            for figure in ("batches", "inputs", "containers_reused", "containers_rejected",
                           *WORKED):
                assert sum(r[figure] for r in rows) == result[figure], (part, figure)


def test_changes_not_yet_flushed_count(session, washed):
    _site, _other, made = washed
    made["last"].co2e_avoided_g += 1  # pending in the session, not flushed
    result = monthly_impact(session, "2026-03")
    assert result["co2e_avoided_g"] == WORKED["co2e_avoided_g"] + 2 * BOXES["co2e_avoided_g"] + 1
    assert result["by_batch"][-1]["co2e_avoided_g"] == BOXES["co2e_avoided_g"] + 1


def test_scopes(session, washed, actors):
    site, other, _made = washed
    mine = monthly_impact(session, "2026-03", site.code)
    assert mine["scope"] == "site" and mine["batches"] == 2
    assert {r["site"] for r in mine["by_site"]} == {site.code}
    assert monthly_impact(session, "2026-03", other.code)["batches"] == 1
    coordinator = monthly_impact(session, "2026-03", actors["coordinator"].org.code)
    assert coordinator["scope"] == "network" and coordinator["batches"] == 3
    member = monthly_impact(session, "2026-03", actors["restaurant"].org.code)
    assert member["scope"] == "member" and member["batches"] == 0 and member["by_type"] == []
    with pytest.raises(NotFound):
        monthly_impact(session, "2026-03", "nobody")


def test_empty_and_invalid_months(session, washed):
    empty = monthly_impact(session, "2025-06")
    assert empty["batches"] == 0 and empty["co2e_avoided_g"] == 0 and empty["by_batch"] == []
    for bad in ("2026-13", "2026", "mars", ""):
        with pytest.raises(ValidationError):
            monthly_impact(session, bad)


def test_twelve_months(session, washed):
    site, _other, _made = washed
    assert last_months("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    series = twelve_months(session, "2026-04")
    assert [p["month"] for p in series] == last_months("2026-04")
    by_month = {p["month"]: p for p in series}
    march = monthly_impact(session, "2026-03")
    assert {k: by_month["2026-03"][k] for k in WORKED} == {k: march[k] for k in WORKED}
    assert by_month["2026-04"]["batches"] == 1
    assert by_month["2026-04"]["co2e_avoided_g"] == 335_037  # the worked example again
    assert by_month["2026-01"]["batches"] == 1 and by_month["2026-02"]["batches"] == 0
    assert by_month["2025-05"]["containers_reused"] == 0
    assert twelve_months(session, "2026-03", site.code)[-1]["batches"] == 2


def test_a_later_mass_change_does_not_move_a_past_month(session, washed):
    before = monthly_impact(session, "2026-03")["rejects"]
    get_type(session, "bouteille-75").mass_g = 900
    get_type(session, "bocal-500").mass_g = 999
    session.flush()
    assert monthly_impact(session, "2026-03")["rejects"] == before
    assert sum(r["mass_g"] for r in before) == monthly_impact(session, "2026-03")[
        "to_recycling_g"]
