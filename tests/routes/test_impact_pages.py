"""The impact dashboards and the factor-set pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bouteilles.db.database import get_session
from bouteilles.models import FactorSet
from bouteilles.services.impact.figures import twelve_months
from bouteilles.services.washing.batches import (
    add_inputs,
    close_batch,
    factor_set_in_force,
    open_batch,
)


@pytest.fixture
def washed(session, actors):
    """The worked example of IMPACT.md, closed now."""
    batch = open_batch(session, actor=actors["coordinator"], type_code="bouteille-75",
                       site_code=actors["washing_site"].org.code)
    add_inputs(session, batch, actor=actors["coordinator"], count=1000)
    close_batch(session, batch, actor=actors["coordinator"], clean=970,
                rejected={"broken": 30}, transport=[{"km": 40, "mode": "van"}])
    session.commit()
    return batch


def test_coordinator_dashboard(client, actors, washed, login):
    login(actors["coordinator"])
    page = client.get("/dashboard")
    assert page.status_code == 200
    html = page.text
    assert "335,0" in html and "970" in html  # 335.037 kg CO₂e, 970 bottles
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert html.count("<rect ") == 12  # one bar per month
    assert "<table class=\"compact\">" in html and "taux de rebut" in html and "3,0\u00a0%" in html
    for fmt in ("csv", "xlsx", "pdf"):
        assert f".{fmt}" in html
    assert ".jsonld" in html and "/impact/factors/" in html
    assert 'href="/dashboard"' in html  # the Impact entry of the top bar
    site = client.get(f"/dashboard?org={actors['washing_site'].org.code}")
    assert site.status_code == 200 and "970" in site.text


def test_member_dashboard_is_their_own(client, actors, washed, login):
    login(actors["restaurant"])
    page = client.get(f"/dashboard?org={actors['washing_site'].org.code}")
    assert page.status_code == 200
    assert actors["restaurant"].org.name in page.text
    assert "contenants rendus" in page.text and "taux de rebut" not in page.text
    assert "/impact/factors/" not in page.text


def test_bad_month_on_the_dashboard(client, actors, login):
    login(actors["coordinator"])
    page = client.get("/dashboard?month=2026-13")
    assert page.status_code == 422 and "Mois invalide" in page.text
    assert client.get("/dashboard?org=nobody").status_code == 422


def test_dashboard_in_english(client, actors, washed, login):
    login(actors["coordinator"])
    client.get("/lang/en")
    html = client.get("/dashboard").text
    assert "Figures of the month" in html and "kg CO₂e avoided" in html
    assert "335.0" in html


def test_chart_and_series_agree(session, client, actors, washed, login):
    login(actors["coordinator"])
    html = client.get("/dashboard").text
    values = [float(v) for v in re.findall(r'data-value="([-0-9.]+)"', html)]
    series = twelve_months(session, washed.closed_at.astimezone().strftime("%Y-%m"))
    assert len(values) == 12 and values[-1] == round(series[-1]["co2e_avoided_g"] / 1000, 1)


def _form(factor_set, **changes) -> dict:
    form = {"name": factor_set.name, "valid_from": "2027-01-01"}
    for f in factor_set.factors:
        form |= {f"value_{f.key}": str(f.value), f"unit_{f.key}": f.unit,
                 f"source_{f.key}": f.source}
    return form | changes


def test_factor_sets_list_and_new(client, actors, session, login):
    login(actors["coordinator"])
    listing = client.get("/impact/factors/")
    assert listing.status_code == 200 and "fr-2026-1" in listing.text
    assert "ADEME Base Carbone" in listing.text and "g CO2e / kWh" in listing.text
    form_page = client.get("/impact/factors/new")
    assert form_page.status_code == 200 and 'value="35.49"' in form_page.text
    base = factor_set_in_force(session)
    refused = client.post("/impact/factors/new", data=_form(
        base, code="fr-2027-1", value_ef_glass="beaucoup"))
    assert refused.status_code == 422 and "ef_glass" in refused.text
    assert 'value="beaucoup"' in refused.text and 'value="fr-2027-1"' in refused.text
    taken = client.post("/impact/factors/new", data=_form(base, code="fr-2026-1"))
    assert taken.status_code == 409 and "existe déjà" in taken.text
    made = client.post("/impact/factors/new", data=_form(
        base, code="fr-2027-1", name="France 2027", value_ef_glass="0,65"))
    assert made.status_code == 302
    get_session().expire_all()
    new = get_session().scalar(select(FactorSet).where(FactorSet.code == "fr-2027-1"))
    assert str(new.values()["ef_glass"]) == "0.65"
    assert new.values()["ef_van_km"] == base.values()["ef_van_km"]
    assert len(new.factors) == len(base.factors)


def test_a_used_factor_set_is_read_only(client, actors, session, washed, login):
    login(actors["coordinator"])
    used = factor_set_in_force(session)
    page = client.get(f"/impact/factors/{used.code}")
    assert page.status_code == 200 and "lecture seule" in page.text and "disabled" in page.text
    refused = client.post(f"/impact/factors/{used.code}",
                          data=_form(used, value_ef_glass="0.1"))
    assert refused.status_code == 409 and "lecture seule" in refused.text
    get_session().expire_all()
    assert factor_set_in_force(get_session()).values()["ef_glass"] != 0  # unchanged
    assert str(get_session().scalar(select(FactorSet).where(FactorSet.code == used.code))
               .values()["ef_glass"]) == "0.70"


def test_an_unused_factor_set_can_be_corrected(client, actors, session, login):
    login(actors["coordinator"])
    base = factor_set_in_force(session)
    assert client.post("/impact/factors/new", data=_form(
        base, code="fr-2027-draft", valid_from="2030-01-01")).status_code == 302
    fixed = client.post("/impact/factors/fr-2027-draft", data=_form(
        base, name="Brouillon corrigé", valid_from="2030-01-01", value_ef_gas="230"))
    assert fixed.status_code == 302
    get_session().expire_all()
    draft = get_session().scalar(select(FactorSet).where(FactorSet.code == "fr-2027-draft"))
    assert draft.name == "Brouillon corrigé" and str(draft.values()["ef_gas"]) == "230"
    assert factor_set_in_force(get_session()).code == "fr-2026-1"  # not valid before 2030


def test_factor_pages_are_the_coordinations(client, actors, login):
    login(actors["restaurant"])
    assert client.get("/impact/factors/").status_code == 403
