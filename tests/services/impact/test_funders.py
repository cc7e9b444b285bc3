"""What funders ask for: the month in progress, circulation, the figures' range, hours."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bouteilles.models import Factor
from bouteilles.reports import build_monthly_report, render
from bouteilles.services.errors import FieldError
from bouteilles.services.impact.figures import monthly_impact
from bouteilles.services.impact.funders import ANNUAL_HOURS, month_period
from bouteilles.services.periods import PARIS
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch
from bouteilles.services.washing.corrections import correct_batch


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _batch(session, actors, closed_at, **kw):
    b = open_batch(session, actor=actors["coordinator"], type_code="bouteille-75",
                   site_code=actors["washing_site"].org.code)
    add_inputs(session, b, actor=actors["coordinator"], count=1000)
    return close_batch(session, b, actor=actors["coordinator"], clean=970,
                       rejected={"broken": 20, "chipped": 10},
                       transport=[{"km": 40, "mode": "van"}], closed_at=closed_at, **kw)


def test_the_month_in_progress_is_marked_in_paris_time():
    # 5 December 2026 at 00:30 in Paris is still the 4th in UTC.
    assert month_period("2026-12", utc(2026, 12, 4, 23, 30)) == {
        "in_progress": True, "through": "2026-12-05"}
    assert month_period("2026-11", utc(2026, 12, 4, 23, 30)) == {
        "in_progress": False, "through": None}
    # 30 November 23:30 in Paris: November is still the month in progress.
    assert month_period("2026-11", utc(2026, 11, 30, 22, 30))["in_progress"] is True


def this_month() -> str:
    return datetime.now(PARIS).strftime("%Y-%m")


def test_the_current_month_in_the_api_figures(session):
    figures = monthly_impact(session, this_month())
    assert figures["in_progress"] is True
    assert figures["through"] == datetime.now(PARIS).date().isoformat()
    assert monthly_impact(session, "2026-03")["in_progress"] is False


def test_hours_worked_give_full_time_equivalents_and_jobs_per_million(session, actors):
    _batch(session, actors, utc(2026, 3, 10, 9), hours_worked=Decimal("160.7"),
           insertion_hours=Decimal("100"))
    _batch(session, actors, utc(2026, 3, 11, 9))  # no hours recorded: not in the ratio
    session.flush()
    work = monthly_impact(session, "2026-03")["work"]
    assert work["hours_worked"] == 160.7 and work["insertion_hours"] == 100.0
    assert work["batches"] == 1 and work["containers_reused"] == 970
    assert work["annual_hours"] == 1607 and ANNUAL_HOURS == 1607
    assert work["fte"] == 1.2  # 160.7 h × 12 ÷ 1,607 h
    # (160.7 ÷ 1,607) job-years ÷ 0.000970 million containers
    assert work["jobs_per_million"] == float((Decimal("0.1") / Decimal("0.00097")).quantize(
        Decimal("0.01")))
    assert work["estimate"] == [1, 2]


def test_insertion_hours_are_part_of_the_hours_worked(session, actors):
    with pytest.raises(FieldError):
        _batch(session, actors, utc(2026, 3, 10, 9), hours_worked=Decimal(10),
               insertion_hours=Decimal(12))


def test_sensitivity_moves_each_ranged_factor_to_the_ends_of_its_range(session, actors):
    _batch(session, actors, utc(2026, 3, 10, 9))
    session.flush()
    figures = monthly_impact(session, "2026-03")
    # IMPACT.md's worked example: 335,037 g; EF_glass 0.56–0.86 on 543,200 g of glass,
    # e_wash_bottle 23.66–47.32 g on 970 bottles.
    low = 335_037 + 543_200 * Decimal("-0.14") - 970 * Decimal("11.83")
    high = 335_037 + 543_200 * Decimal("0.16") + 970 * Decimal("11.83")
    assert figures["sensitivity"] == {
        "co2e_avoided_low_g": round(low), "co2e_avoided_high_g": round(high),
        "waste_avoided_low_g": 543_200, "waste_avoided_high_g": 543_200}


def test_every_factor_of_the_default_set_has_a_range_and_a_source(session):
    factors = session.query(Factor).all()
    assert len(factors) == 9
    for f in factors:
        assert f.low is not None and f.high is not None and f.low <= f.value <= f.high, f.key
        assert "hypothèse" not in f.source.lower() and "à remplacer" not in f.source, f.key


def test_circulation_counts_lends_returns_and_losses(session, actors, make_container, scan):
    resto = actors["restaurant"]
    codes = [make_container("bocal-500", holder=resto.org) for _ in range(4)]
    for code in codes:
        scan(resto, code, "lend")
    for code in codes[:3]:
        scan(resto, code, "return")
    scan(actors["coordinator"], codes[3], "lose")
    month = this_month()
    c = monthly_impact(session, month)["circulation"]
    assert (c["lends"], c["returns"], c["lost"]) == (4, 3, 1)
    assert c["return_rate"] == 0.75 and c["loss_rate"] == 0.25
    assert c["reuses_per_container"] == 0.0  # nothing washed yet: 0 reuses of 4 boxes
    own = monthly_impact(session, month, resto.org.code)["circulation"]
    assert (own["lends"], own["returns"]) == (4, 3)
    assert own["reuses_per_container"] is None


def test_a_past_month_regenerates_identically(session, actors, make_container, scan):
    march = _batch(session, actors, utc(2026, 3, 10, 9), hours_worked=Decimal(20))
    session.commit()
    at = utc(2026, 4, 1, 6)

    def report():
        built = build_monthly_report(session, "2026-03", generated_at=at)
        return built, {fmt: render(built, fmt) for fmt in ("csv", "xlsx", "pdf")}

    first, files = report()
    # After the month: a correction of its batch, new batches, new scans.
    correct_batch(session, march, actor=actors["coordinator"], clean=960,
                  rejected={"broken": 30, "chipped": 10}, reason="recompté")
    _batch(session, actors, utc(2026, 4, 2, 9), hours_worked=Decimal(5))
    code = make_container("bocal-500", holder=actors["restaurant"].org)
    scan(actors["restaurant"], code, "lend")
    session.commit()
    again, files_again = report()
    assert again == first
    assert files_again["pdf"] == files["pdf"]
    assert files_again["csv"] == files["csv"]
    assert not first.in_progress and first.through is None
    assert first.work.hours_worked == Decimal(20)
