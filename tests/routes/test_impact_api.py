"""GET /api/v1/impact and the /exports downloads: same totals, who may read what."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reports.csv_read import csv_summary, csv_tables

from bouteilles import formatting
from bouteilles.db.database import get_session
from bouteilles.models import utcnow
from bouteilles.services.deposits import PARIS
from bouteilles.services.impact.figures import monthly_impact
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch

# The worked example of IMPACT.md and a box batch (tests/services/impact/test_figures.py).
WORKED = {"co2e_avoided_g": 335037, "co2e_process_g": 45203, "waste_avoided_g": 543200,
          "to_recycling_g": 16800}
BOXES = {"co2e_avoided_g": 3576, "co2e_process_g": 5924, "waste_avoided_g": 1750,
         "to_recycling_g": 3000}
TOTALS = ("batches", "inputs", "containers_reused", "containers_rejected", "co2e_avoided_g",
          "co2e_process_g", "waste_avoided_g", "to_recycling_g")


def this_month() -> str:
    return datetime.now(PARIS).strftime("%Y-%m")


@pytest.fixture
def world(session, actors, make_container, scan):
    """Two batches closed now at one site; three boxes taken back at one restaurant."""
    site, resto, coord = actors["washing_site"], actors["restaurant"], actors["coordinator"]
    now = utcnow()
    for type_code, n_in, clean, rejected, legs in (
            ("bouteille-75", 1000, 970, {"broken": 20, "chipped": 10}, [{"km": 40, "mode": "van"}]),
            ("bocal-500", 200, 190, {"broken": 10}, [{"km": "12.5", "mode": "van"}])):
        batch = open_batch(session, actor=coord, type_code=type_code, site_code=site.org.code)
        add_inputs(session, batch, actor=coord, count=n_in)
        close_batch(session, batch, actor=coord, clean=clean, rejected=rejected, transport=legs,
                    closed_at=now)
    for _ in range(3):
        code = make_container("bocal-500", holder=resto.org)
        scan(resto, code, "lend")
        scan(resto, code, "return")
    session.commit()
    return {"site": site, "resto": resto, "coord": coord, "month": this_month()}


def test_api_totals_are_the_month_query(client, world, token_for):
    headers = token_for(world["coord"])
    body = client.get(f"/api/v1/impact?month={world['month']}", headers=headers).get_json()
    assert body == json.loads(json.dumps(monthly_impact(get_session(), world["month"])))
    for key in WORKED:
        assert body[key] == WORKED[key] + BOXES[key]
    assert body["containers_reused"] == 1160 and body["batches"] == 2
    assert {r["type"] for r in body["by_type"]} == {"bouteille-75", "bocal-500"}
    # No month: the current month in Paris.
    assert client.get("/api/v1/impact", headers=headers).get_json()["month"] == world["month"]


def test_a_restaurant_gets_its_share(client, world, token_for):
    body = client.get("/api/v1/impact", headers=token_for(world["resto"])).get_json()
    assert body["scope"] == "member" and body["org"] == world["resto"].org.code
    # 3 boxes taken back × the month's bocal-500 figures per clean box (190 clean).
    assert body["containers_reused"] == 3 and body["batches"] == 0
    assert body["co2e_avoided_g"] == round(3 * 3576 / 190) == 56
    assert body["waste_avoided_g"] == 28 and body["co2e_process_g"] == 94
    assert body["by_type"][0]["type"] == "bocal-500"
    assert body["factor_sets"] == ["fr-2026-1"]


def test_who_sees_what(client, world, token_for, actors):
    site_code, resto = world["site"].org.code, world["resto"]
    coord = token_for(world["coord"])
    mine = client.get(f"/api/v1/impact?org={site_code}", headers=coord).get_json()
    assert mine["scope"] == "site" and mine["batches"] == 2
    site = client.get("/api/v1/impact", headers=token_for(world["site"])).get_json()
    assert site["scope"] == "site" and site["co2e_avoided_g"] == mine["co2e_avoided_g"]
    other = client.get(f"/api/v1/impact?org={site_code}", headers=token_for(resto))
    assert other.status_code == 403
    assert client.get("/api/v1/impact").status_code == 401
    assert client.get("/api/v1/impact?org=nobody", headers=coord).status_code == 404
    for bad in ("2026-13", "mars", "2026-3", "2026-03-01"):
        answer = client.get(f"/api/v1/impact?month={bad}", headers=coord)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "validation"


def _csv_summary(data: bytes) -> dict[str, int]:
    """The CSV download's summary (a zip of `;` files, kg and a decimal comma) in grams."""
    return csv_summary(data)


def test_each_format_has_the_api_totals(client, world, token_for, tmp_path):
    headers = token_for(world["coord"])
    month = world["month"]
    api = client.get(f"/api/v1/impact?month={month}", headers=headers).get_json()
    answer = client.get(f"/exports/impact/{month}.csv", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="impact-{month}.zip"'
    assert _csv_summary(answer.data) == {k: api[k] for k in TOTALS}

    answer = client.get(f"/exports/impact/{month}.xlsx", headers=headers)
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    wb = load_workbook(io.BytesIO(answer.data))
    summary = {r[0]: r[1] for r in wb["Synthèse"].iter_rows(min_row=6, values_only=True)}
    assert summary["CO₂e évité"] == api["co2e_avoided_g"]
    assert summary["Déchets évités"] == api["waste_avoided_g"]
    assert summary["Contenants réemployés"] == api["containers_reused"]
    assert summary["Lots de lavage clôturés"] == api["batches"]

    answer = client.get(f"/exports/impact/{month}.pdf", headers=headers)
    assert answer.mimetype == "application/pdf" and answer.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(answer.data)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        flat = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}\b)", "", text)
        for key in ("co2e_avoided_g", "waste_avoided_g", "co2e_process_g"):
            assert f"soit {api[key]} g" in flat
        assert formatting.kilograms(api["co2e_avoided_g"]).replace("\u202f", "") in flat


def test_member_report_matches_member_api(client, world, token_for):
    headers = token_for(world["resto"])
    api = client.get("/api/v1/impact", headers=headers).get_json()
    answer = client.get(f"/exports/impact/{world['month']}.csv", headers=headers)
    assert answer.headers["Content-Disposition"].endswith(
        f'impact-{world["month"]}-{world["resto"].org.code}.zip"')
    assert _csv_summary(answer.data) == {k: api[k] for k in TOTALS}


def test_export_access(client, world, token_for, login):
    month = world["month"]
    anonymous = client.get(f"/exports/impact/{month}.pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get(f"/exports/impact/{month}.csv",
                      headers={"Authorization": "Bearer nope"}).status_code == 401
    resto = token_for(world["resto"])
    forbidden = client.get(f"/exports/impact/{month}.csv?org={world['site'].org.code}",
                           headers=resto)
    assert forbidden.status_code == 403 and forbidden.is_json
    bad = client.get("/exports/impact/2026-13.csv", headers=resto)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation"
    assert client.get(f"/exports/impact/{month}.doc", headers=resto).status_code == 404
    assert client.get("/exports/epcis/nope.jsonld", headers=resto).status_code == 422
    login(world["coord"])  # a browser session works too
    page = client.get(f"/exports/impact/{month}.csv?org={world['site'].org.code}")
    assert page.status_code == 200
    assert _csv_summary(page.data)["batches"] == 2


def test_epcis_download(client, world, token_for):
    month = world["month"]
    answer = client.get(f"/exports/epcis/{month}.jsonld", headers=token_for(world["coord"]))
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="epcis-{month}.jsonld"'
    document = json.loads(answer.data)
    events = document["epcisBody"]["eventList"]
    assert document["type"] == "EPCISDocument"
    assert sum(e["type"] == "TransformationEvent" for e in events) == 2
    mine = client.get(f"/exports/epcis/{month}.jsonld", headers=token_for(world["resto"]))
    own = json.loads(mine.data)["epcisBody"]["eventList"]
    assert 0 < len(own) < len(events)
    assert not any(e["type"] == "TransformationEvent" for e in own)


def test_openapi_documents_impact(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    operation = paths["/api/v1/impact"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"month", "org", "territory"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    schema = spec["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]
    assert {"month", "containers_reused", "co2e_avoided_g", "waste_avoided_g", "batches",
            "by_type"} <= set(schema["properties"])
    report = paths["/exports/impact/{month}.{fmt}"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in report and "application/zip" in report
    assert "/exports/epcis/{month}.jsonld" in paths


def test_a_correction_is_an_adjustment_of_this_month_in_every_format(
        client, session, world, token_for, login, tmp_path):
    """A batch closed last month (Paris) and corrected now: last month keeps its figures;
    this month's API, CSV, XLSX, PDF, dashboard and EPCIS show the adjustment line."""
    from jsonschema import Draft7Validator

    from bouteilles.services.deposits import month_bounds
    from bouteilles.services.impact.figures import last_months

    month = world["month"]
    previous = last_months(month, 2)[0]
    site = world["site"]
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, batch, actor=site, count=1000)
    close_batch(session, batch, actor=site, clean=970, rejected={"broken": 20, "chipped": 10},
                transport=[{"km": 40, "mode": "van"}],
                closed_at=month_bounds(previous)[0] + timedelta(days=10))
    session.commit()
    headers = token_for(world["coord"])
    before = client.get(f"/api/v1/impact?month={previous}", headers=headers).get_json()
    this_before = client.get(f"/api/v1/impact?month={month}", headers=headers).get_json()
    corrected = client.post(f"/api/v1/batches/{batch.id}/corrections", headers=headers, json={
        "clean": 960, "rejected": {"broken": 25, "chipped": 15}, "reason": "recompté"})
    assert corrected.status_code == 201
    assert client.get(f"/api/v1/impact?month={previous}", headers=headers).get_json() == before
    api = client.get(f"/api/v1/impact?month={month}", headers=headers).get_json()
    (line,) = api["adjustments"]
    assert line["batch"] == batch.code and line["batch_month"] == previous
    assert api["co2e_avoided_g"] == this_before["co2e_avoided_g"] - 3_565
    assert api["batches"] == this_before["batches"] == 2

    csv_file = client.get(f"/exports/impact/{month}.csv", headers=headers).data
    assert _csv_summary(csv_file) == {k: api[k] for k in TOTALS}
    (line,) = csv_tables(csv_file)["ajustements"]
    assert line["Lot"] == batch.code and line["Mois du lot"] == previous
    wb = load_workbook(io.BytesIO(client.get(f"/exports/impact/{month}.xlsx",
                                             headers=headers).data))
    summary = {r[0]: r[1] for r in wb["Synthèse"].iter_rows(min_row=6, values_only=True)}
    assert summary["CO₂e évité"] == api["co2e_avoided_g"]
    assert [r[0] for r in wb["Ajustements"].iter_rows(min_row=2, values_only=True)] == [
        batch.code]
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(client.get(f"/exports/impact/{month}.pdf", headers=headers).data)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        flat = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}\b)", "", text)
        assert f"soit {api['co2e_avoided_g']} g" in flat and batch.code in text

    login(world["coord"])
    page = client.get(f"/dashboard?month={month}")
    assert 'id="adjustments"' in page.text and batch.code in page.text
    assert formatting.month_name(previous) in page.text and "-3,6" in page.text

    document = json.loads(client.get(f"/exports/epcis/{month}.jsonld", headers=headers).data)
    schema = json.loads((Path(__file__).resolve().parents[1] / "data" /
                         "epcis-2.0-json-schema.json").read_text())
    errors = list(Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
                  .iter_errors(document))
    assert not errors, errors[0].message
    declared = [e for e in document["epcisBody"]["eventList"] if "errorDeclaration" in e]
    assert len(declared) == 1
    assert declared[0]["eventID"].endswith(f"/events/batch-{batch.code}")
    assert declared[0]["outputQuantityList"][0]["quantity"] == 970
    (corrective_id,) = declared[0]["errorDeclaration"]["correctiveEventIDs"]
    (corrective,) = [e for e in document["epcisBody"]["eventList"]
                     if e["eventID"] == corrective_id]
    assert corrective["outputQuantityList"][0]["quantity"] == 960
    assert corrective["bou:rejected"] == {"broken": 25, "chipped": 15}
