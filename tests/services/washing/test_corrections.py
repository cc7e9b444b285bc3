"""Correcting a closed batch: who may, what is refused, the impact after, the months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bouteilles.models import BatchCorrection
from bouteilles.services.errors import Conflict, Forbidden, ValidationError
from bouteilles.services.impact.figures import monthly_impact, twelve_months
from bouteilles.services.items.lookup import get_type
from bouteilles.services.members.accounts import create_user
from bouteilles.services.members.management import update_type
from bouteilles.services.washing.batches import add_inputs, close_batch, describe_batch, open_batch
from bouteilles.services.washing.corrected import corrected_figures
from bouteilles.services.washing.corrections import correct_batch, may_correct

CLOSED = datetime(2026, 3, 10, 15, tzinfo=UTC)  # 16:00 in Paris, March
# The worked example of IMPACT.md: 1,000 in, 970 clean, 30 rejected, 40 km by van.
WORKED = {"co2e_avoided_g": 335_037, "co2e_process_g": 45_203, "waste_avoided_g": 543_200,
          "to_recycling_g": 16_800}
# 960 clean instead: 960 × 560 × 0.70 − 960 × 35.49 − 40 × 269.45 = 331,471.6 g avoided,
# 960 × 35.49 + 10,778 = 44,848.4 g of process, 960 × 560 g of waste, 40 × 560 g of glass.
CORRECTED = {"co2e_avoided_g": 331_472, "co2e_process_g": 44_848, "waste_avoided_g": 537_600,
             "to_recycling_g": 22_400}
DELTA = {k: CORRECTED[k] - WORKED[k] for k in WORKED}


@pytest.fixture
def site(actors):
    return actors["washing_site"]


@pytest.fixture
def batch(session, site):
    """The worked example, closed on 10 March 2026."""
    made = open_batch(session, actor=site, type_code="bouteille-75", opened_at=CLOSED)
    add_inputs(session, made, actor=site, count=1000)
    close_batch(session, made, actor=site, clean=970, rejected={"broken": 20, "chipped": 10},
                transport=[{"km": 40, "mode": "van"}], closed_at=CLOSED)
    session.commit()
    return made


def fix(session, batch, actor, *, clean=960, rejected=None, reason="12 ébréchées vues au "
        "conditionnement", now=CLOSED + timedelta(days=2)):
    return correct_batch(session, batch, actor=actor, clean=clean,
                         rejected={"broken": 25, "chipped": 15} if rejected is None else rejected,
                         reason=reason, now=now)


def test_a_correction_recomputes_the_impact_with_the_batchs_factor_set(session, site, batch):
    done = fix(session, batch, site)
    assert done.impact_delta == DELTA == {"co2e_avoided_g": -3_565, "co2e_process_g": -355,
                                          "waste_avoided_g": -5_600, "to_recycling_g": 5_600}
    assert done.figures.impact() == CORRECTED
    correction = done.correction
    assert (correction.clean_before, correction.rejected_before) == (970, 30)
    assert (correction.clean_after, correction.rejected_after) == (960, 40)
    assert correction.mass_g == 560 and correction.made_by_id == site.id
    assert {r.reason: (r.count_before, r.count_after) for r in correction.rejects} == {
        "broken": (20, 25), "chipped": (10, 15)}
    # The batch row keeps its close; the batch as it stands is corrected.
    assert (batch.clean, batch.co2e_avoided_g) == (970, WORKED["co2e_avoided_g"])
    body = describe_batch(session, batch)
    assert body["clean"] == 960 and body["rejected"] == {"broken": 25, "chipped": 15}
    assert body["impact"] == {**CORRECTED, "factor_set": "fr-2026-1"}
    assert body["corrections"] == 1


def test_corrections_add_up(session, site, batch):
    fix(session, batch, site)
    again = fix(session, batch, site, clean=975, rejected={"broken": 25},
                now=CLOSED + timedelta(days=3))
    assert again.correction.clean_before == 960
    figures = corrected_figures(session, batch)
    assert (figures.clean, figures.rejects) == (975, {"broken": 25})
    # 975 clean: the deltas of both corrections telescope to the impact of 975.
    assert figures.co2e_avoided_g == round(975 * 392 - 975 * 35.49 - 10_778)
    back = fix(session, batch, site, clean=970, rejected={"broken": 20, "chipped": 10},
               now=CLOSED + timedelta(days=4))
    assert corrected_figures(session, batch).impact() == WORKED
    assert back.impact_delta == {k: WORKED[k] - getattr(figures, k) for k in WORKED}


def test_the_close_month_never_changes_the_correction_counts_when_made(session, site, batch,
                                                                       actors, make_org):
    march = monthly_impact(session, "2026-03")
    april_day = datetime(2026, 4, 2, 9, tzinfo=UTC)
    done = fix(session, batch, actors["coordinator"], now=april_day)
    session.commit()
    assert monthly_impact(session, "2026-03") == march  # the closed month, unchanged
    april = monthly_impact(session, "2026-04")
    assert april["batches"] == 0 and april["by_batch"] == []
    assert {k: april[k] for k in DELTA} == DELTA
    assert april["containers_reused"] == -10 and april["containers_rejected"] == 10
    (line,) = april["adjustments"]
    assert line["batch"] == batch.code and line["batch_month"] == "2026-03"
    assert line["id"] == done.correction.id and line["corrected_at"].startswith("2026-04-02")
    assert line["reason"].startswith("12 ébréchées") and line["factor_set"] == "fr-2026-1"
    assert april["by_type"] == [{"type": "bouteille-75", "name": get_type(
        session, "bouteille-75").name, "family": "bottle", "batches": 0, "inputs": 0,
        "containers_reused": -10, "containers_rejected": 10, **DELTA}]
    assert [r["site"] for r in april["by_site"]] == [site.org.code]
    assert april["rejects"] == [{"reason": "broken", "count": 5, "mass_g": 2_800},
                                {"reason": "chipped", "count": 5, "mass_g": 2_800}]
    assert april["factor_sets"] == ["fr-2026-1"]
    assert monthly_impact(session, "2026-04", site.org.code)["adjustments"] == [line]
    assert monthly_impact(session, "2026-04", make_org("washing_site").code)["adjustments"] == []
    series = {p["month"]: p for p in twelve_months(session, "2026-04")}
    assert series["2026-04"]["co2e_avoided_g"] == DELTA["co2e_avoided_g"]
    assert series["2026-03"]["co2e_avoided_g"] == WORKED["co2e_avoided_g"]


def test_a_correction_within_the_close_month_is_an_adjustment_of_that_month(session, site,
                                                                           batch):
    fix(session, batch, site)
    march = monthly_impact(session, "2026-03")
    assert march["batches"] == 1 and march["by_batch"][0]["co2e_avoided_g"] == 335_037
    assert march["co2e_avoided_g"] == CORRECTED["co2e_avoided_g"]
    assert [a["batch_month"] for a in march["adjustments"]] == ["2026-03"]
    assert sum(r["mass_g"] for r in march["rejects"]) == march["to_recycling_g"] == 22_400


def test_who_may_correct(session, site, batch, actors, make_user, make_org):
    late = CLOSED + timedelta(days=7, minutes=1)
    assert may_correct(site, batch, CLOSED + timedelta(days=7))
    assert not may_correct(site, batch, late)
    with pytest.raises(Forbidden, match="plus de 7 jours"):
        fix(session, batch, site, now=late)
    with pytest.raises(Forbidden):
        fix(session, batch, make_user("washing_site"))
    reader = create_user(session, email="lecteur@coop.test", org=actors["coordinator"].org,
                         password="marnes-tilleul-1774", admin=False)
    with pytest.raises(Forbidden):
        fix(session, batch, reader)
    with pytest.raises(Forbidden):
        fix(session, batch, actors["restaurant"])
    assert may_correct(actors["coordinator"], batch, late + timedelta(days=300))
    fix(session, batch, actors["coordinator"], now=late + timedelta(days=300))


def test_what_is_refused(session, site, batch):
    with pytest.raises(ValidationError, match="ne tombe pas juste"):
        fix(session, batch, site, clean=961)
    with pytest.raises(ValidationError, match="rien à corriger"):
        fix(session, batch, site, clean=970, rejected={"broken": 20, "chipped": 10})
    with pytest.raises(ValidationError, match="motif est obligatoire"):
        fix(session, batch, site, reason="   ")
    with pytest.raises(ValidationError, match="inconnus"):
        fix(session, batch, site, rejected={"melted": 40})
    with pytest.raises(ValidationError, match="500"):
        fix(session, batch, site, reason="x" * 501)
    still_open = open_batch(session, actor=site, type_code="bouteille-75")
    with pytest.raises(Conflict):
        fix(session, still_open, site)
    assert session.query(BatchCorrection).count() == 0


def test_labelled_containers_that_came_out_clean_stay_counted(session, site, make_container,
                                                             scan):
    boxes = [make_container("bocal-500", holder=site.org) for _ in range(3)]
    for code in boxes:
        scan(site, code, "sort")
    made = open_batch(session, actor=site, type_code="bocal-500")
    add_inputs(session, made, actor=site, codes=boxes, count=2)
    close_batch(session, made, actor=site, clean=5, rejected={})
    with pytest.raises(ValidationError, match="3 contenants étiquetés"):
        correct_batch(session, made, actor=site, clean=2, rejected={"broken": 3},
                      reason="recompté")
    done = correct_batch(session, made, actor=site, clean=3, rejected={"broken": 2},
                         reason="recompté")
    assert done.figures.rejects == {"broken": 2}


def test_the_mass_of_the_close_is_kept(session, site, batch, actors):
    update_type(session, get_type(session, "bouteille-75"), values={"mass_g": 900},
                actor=actors["coordinator"])
    done = fix(session, batch, site)
    assert done.correction.mass_g == 560 and done.impact_delta == DELTA


def test_corrections_are_append_only(session, site, batch):
    fix(session, batch, site)
    session.commit()
    for statement in ("UPDATE batch_corrections SET reason = 'x'",
                      "DELETE FROM batch_correction_rejects", "DELETE FROM batch_corrections"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
