"""`flask export impact` and `flask export epcis`: files with the API's figures."""

from __future__ import annotations

import json
from datetime import datetime

from openpyxl import load_workbook
from reports.csv_read import csv_summary, csv_tables

from bouteilles.services.deposits import PARIS
from bouteilles.services.impact.figures import monthly_impact
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch


def _washed(session, actors) -> str:
    batch = open_batch(session, actor=actors["coordinator"], type_code="bouteille-75",
                       site_code=actors["washing_site"].org.code)
    add_inputs(session, batch, actor=actors["coordinator"], count=1000)
    close_batch(session, batch, actor=actors["coordinator"], clean=970, rejected={"broken": 30},
                transport=[{"km": 40, "mode": "van"}])
    session.commit()
    return datetime.now(PARIS).strftime("%Y-%m")


def test_export_impact_in_three_formats(runner, session, actors, tmp_path):
    month = _washed(session, actors)
    api = monthly_impact(session, month)
    for fmt, ext in (("csv", "zip"), ("xlsx", "xlsx"), ("pdf", "pdf")):
        out = tmp_path / f"report.{ext}"
        result = runner.invoke(args=["export", "impact", "--month", month, "--format", fmt,
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "335037 g CO2e avoided" in result.output and out.stat().st_size > 500
    summary = csv_summary((tmp_path / "report.zip").read_bytes())
    assert summary["co2e_avoided_g"] == api["co2e_avoided_g"] == 335037
    assert summary["waste_avoided_g"] == api["waste_avoided_g"]
    wb = load_workbook(tmp_path / "report.xlsx")
    cells = {r[0]: r[1] for r in wb["Synthèse"].iter_rows(min_row=6, values_only=True)}
    assert cells["CO₂e évité"] == api["co2e_avoided_g"]
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_format_from_the_extension_and_one_org(runner, session, actors, tmp_path):
    month = _washed(session, actors)
    out = tmp_path / "site.zip"  # a zip of CSV files: the format from the extension
    result = runner.invoke(args=["export", "impact", "--month", month, "-o", str(out),
                                 "--org", actors["washing_site"].org.code])
    assert result.exit_code == 0, result.output
    about = {r["Rubrique"]: r["Valeur"] for r in csv_tables(out.read_bytes())["rapport"]}
    assert about["Périmètre"] == actors["washing_site"].org.name


def test_export_refusals(runner, session, actors, tmp_path):
    bad = runner.invoke(args=["export", "impact", "--month", "2026-13", "-o",
                              str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    unknown = runner.invoke(args=["export", "impact", "--month", "2026-03", "-o",
                                  str(tmp_path / "x.doc")])
    assert unknown.exit_code == 2 and "--format" in unknown.output
    nobody = runner.invoke(args=["export", "impact", "--month", "2026-03", "-o",
                                 str(tmp_path / "x.csv"), "--org", "nobody"])
    assert nobody.exit_code == 1 and "nobody" in nobody.output
    nobody = runner.invoke(args=["export", "epcis", "--month", "2026-03", "-o",
                                 str(tmp_path / "x.jsonld"), "--org", "nobody"])
    assert nobody.exit_code == 1 and not (tmp_path / "x.jsonld").exists()


def test_export_epcis(runner, session, actors, tmp_path):
    month = _washed(session, actors)
    out = tmp_path / "month.jsonld"
    result = runner.invoke(args=["export", "epcis", "--month", month, "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text("utf-8"))
    assert document["type"] == "EPCISDocument"
    assert any(e["type"] == "TransformationEvent" for e in document["epcisBody"]["eventList"])
