"""The three renderings of a hand-built monthly report carry the same figures to the gram."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from dataclasses import fields, replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bouteilles import formatting
from bouteilles.reports import render
from bouteilles.reports.csv_report import render_csv
from bouteilles.reports.model import (
    AdjustmentRow,
    BatchRow,
    BreakdownRow,
    DepositRow,
    DepositsSummary,
    FactorRow,
    FactorSetInfo,
    ImpactFigures,
    MonthlyReport,
    MonthPoint,
    RejectRow,
    Settlement,
)
from bouteilles.reports.pdf_report import render_pdf
from bouteilles.reports.xlsx_report import render_xlsx
from bouteilles.services.impact.figures import compute_batch_impact

FACTORS = [
    FactorRow("ef_glass", Decimal("0.70"), "kg CO₂e/kg", "ADEME Base Impacts (range 0.56–0.86)"),
    FactorRow("e_wash_bottle", Decimal("35.49"), "g CO₂e/bottle", "assumption, 0.15 kWh gas"),
    FactorRow("e_wash_box", Decimal("2.4"), "g CO₂e/box", "assumption, 0.05 kWh"),
    FactorRow("ef_elec", Decimal("48"), "g CO₂e/kWh", "arrêté du 26 avril 2017"),
    FactorRow("ef_gas", Decimal("227"), "g CO₂e/kWh PCI", "ADEME Base Carbone"),
    FactorRow("ef_van_km", Decimal("269.45"), "g CO₂e/km", "8.5 L/100 km × 3.17 kg/L"),
    FactorRow("ef_truck_tkm", Decimal("105"), "g CO₂e/t·km", "ADEME Base Carbone, 26–32 t"),
    FactorRow("e_su_box", Decimal("50"), "g CO₂e/use", "PP tray 25 g × 2.0 kg/kg"),
    FactorRow("m_su_box", Decimal("25"), "g/use", "same tray"),
]
# (batch, site, type, family, mass, n_in, n_ok, rejects by reason, extra inputs)
BATCHES = [
    ("L-0301", "lavage-lons", "bouteille-75", "bottle", 560, 1000, 970,
     {"broken": 20, "chipped": 10}, {"transport": [{"km": 40, "mode": "van"}]}),
    ("L-0302", "lavage-lons", "bocal-500", "box", 300, 200, 190, {"broken": 10},
     {"transport": [{"km": Decimal("12.5"), "mode": "van"}]}),
    ("A-0303", "lavage-arbois", "clavelin-62", "bottle", 500, 3000, 2900,
     {"chipped": 60, "wrong_model": 40},
     {"electricity_kwh": Decimal("95.5"), "gas_kwh": Decimal("430")}),
]
# By hand (see tests/services/impact/test_figures.py): 335,037 + 3,576 + 912,806 and so on.
EXPECTED = ImpactFigures(
    batches=3, inputs=4200, containers_reused=4060, containers_rejected=140,
    co2e_avoided_g=1_251_419, co2e_process_g=153_321, waste_avoided_g=1_994_950,
    to_recycling_g=69_800,
)


def _sum(figures: list[ImpactFigures]) -> ImpactFigures:
    return ImpactFigures(**{f.name: sum(getattr(x, f.name) for x in figures)
                            for f in fields(ImpactFigures)})


def sample_report() -> MonthlyReport:
    """A March 2026 report of three batches, built by hand from the impact engine."""
    batch_rows, rejects = [], {}
    factors = {f.key: f.value for f in FACTORS}
    for day, (code, site, type_code, family, mass, n_in, n_ok, rej, extra) in enumerate(BATCHES):
        n_rej = sum(rej.values())
        impact = compute_batch_impact(family=family, mass_g=mass, n_in=n_in, n_ok=n_ok,
                                      n_rej=n_rej, factors=factors, **extra)
        figures = ImpactFigures(batches=1, inputs=n_in, containers_reused=n_ok,
                                containers_rejected=n_rej, **impact.as_dict())
        closed = datetime(2026, 3, 3 + day, 16, 45, tzinfo=UTC)
        batch_rows.append(BatchRow(code, closed, site, type_code, "fr-2026-1", figures))
        for reason, count in rej.items():
            old = rejects.get(reason, (0, 0))
            rejects[reason] = (old[0] + count, old[1] + count * mass)
    families = {b[2]: b[3] for b in BATCHES}

    def rows(attr: str) -> list[BreakdownRow]:
        keys = dict.fromkeys(getattr(b, attr) for b in batch_rows)
        return [BreakdownRow(k, k.replace("-", " ").capitalize(),
                             _sum([b.figures for b in batch_rows if getattr(b, attr) == k]),
                             families.get(k)) for k in keys]

    totals = _sum([b.figures for b in batch_rows])
    series = [MonthPoint(f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}", 1000 * m, 90_000 * m,
                         150_000 * m, 12_000 * m) for m in range(4, 15)]
    series.append(MonthPoint("2026-03", totals.containers_reused, totals.co2e_avoided_g,
                             totals.waste_avoided_g, totals.co2e_process_g))
    return MonthlyReport(
        month="2026-03", totals=totals, by_type=rows("type"), by_site=rows("site"),
        by_batch=batch_rows,
        rejects=[RejectRow(r, c, m) for r, (c, m) in sorted(rejects.items())],
        series=series,
        factor_sets=[FactorSetInfo("fr-2026-1", "Facteurs France 2026", FACTORS)],
        deposits=DepositsSummary(
            taken_cents=45_000, refunded_cents=38_000, held_cents=7_000,
            rows=[DepositRow("resto-le-comptoir", 30_000, 26_000, 4_000),
                  DepositRow("=HYPERLINK(\"x\")", 15_000, 12_000, 3_000)],
            settlements=[Settlement("resto-le-comptoir", "resto-chez-paul", 1_500)],
        ),
        generated_at=datetime(2026, 4, 1, 6, 0, tzinfo=UTC),
    )


def csv_sections(data: bytes) -> dict[str, list[dict]]:
    """Parse the sectioned CSV back into {section: [row dicts]}."""
    sections: dict[str, list[dict]] = {}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for i, row in enumerate(rows):
        if len(row) == 1 and row[0].startswith("["):
            header, body = rows[i + 1], []
            for line in rows[i + 2:]:
                if not line:
                    break
                body.append(dict(zip(header, line, strict=True)))
            sections[row[0].strip("[]")] = body
    return sections


def test_sample_report_is_consistent():
    report = sample_report()
    assert report.totals == EXPECTED
    assert _sum([r.figures for r in report.by_type]) == EXPECTED
    assert _sum([r.figures for r in report.by_site]) == EXPECTED
    assert sum(r.mass_g for r in report.rejects) == EXPECTED.to_recycling_g
    assert report.bottles_reused == 970 + 2900


def test_csv_totals():
    report = sample_report()
    sections = csv_sections(render_csv(report))
    summary = {r["metric"]: int(r["value"]) for r in sections["summary"]}
    assert summary == {f.name: getattr(EXPECTED, f.name) for f in fields(ImpactFigures)}
    for name in ("by_type", "by_site", "by_batch"):
        assert sum(int(r["co2e_avoided_g"]) for r in sections[name]) == EXPECTED.co2e_avoided_g
        assert sum(int(r["waste_avoided_g"]) for r in sections[name]) == EXPECTED.waste_avoided_g
    assert sum(int(r["mass_g"]) for r in sections["rejects"]) == EXPECTED.to_recycling_g
    assert sections["twelve_months"][-1]["co2e_avoided_g"] == "1251419"
    assert len(sections["factors"]) == 9 and sections["factors"][0]["value"] == "0.70"
    assert sections["deposits"][-1] == {
        "org": "total", "taken_cents": "45000", "refunded_cents": "38000", "held_cents": "7000"
    }
    assert sections["deposits"][1]["org"].startswith("'=")  # no formula injection


def test_xlsx_totals():
    wb = load_workbook(io.BytesIO(render_xlsx(sample_report())))
    assert wb.sheetnames[:4] == ["Synthèse", "Par type", "Par site", "Par lot"]
    summary = {row[0]: row[1] for row in wb["Synthèse"].iter_rows(min_row=6, values_only=True)}
    assert summary["CO₂e évité"] == EXPECTED.co2e_avoided_g
    assert summary["Déchets évités"] == EXPECTED.waste_avoided_g
    assert summary["Contenants réemployés"] == EXPECTED.containers_reused
    assert summary["Verre envoyé au recyclage"] == EXPECTED.to_recycling_g
    for sheet in ("Par type", "Par site"):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        col = header.index("CO₂e évité (g)")
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert rows[-1][0] == "Total" and rows[-1][col] == EXPECTED.co2e_avoided_g
        assert sum(r[col] for r in rows[:-1]) == EXPECTED.co2e_avoided_g
        assert all(isinstance(r[col], int) for r in rows)  # real numbers, not text
    lots = list(wb["Par lot"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in lots] == ["L-0301", "L-0302", "A-0303"]
    assert isinstance(lots[0][1], datetime)
    assert wb["Consignes"]["A3"].value == '=HYPERLINK("x")'  # stored as text
    assert wb["Consignes"]["A3"].data_type == "s"
    assert wb["Consignes"]["B4"].value == 450  # euros, a number


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_totals(tmp_path):
    data = render_pdf(sample_report())
    assert data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert 2 <= pages <= 4
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}\b)", "", text)  # drop digit grouping
    assert "Mars 2026" in text
    for grams in ("1251419", "1994950", "153321"):  # headline figures, exact grams
        assert f"soit {grams} g" in flat
    for grams in (EXPECTED.co2e_avoided_g, EXPECTED.waste_avoided_g, EXPECTED.to_recycling_g):
        kg = formatting.kilograms(grams).replace("\u202f", "")
        assert flat.count(kg) >= 2, kg  # the "Total" rows by type and by site
    assert "Méthode" in text and "fr-2026-1" in text and "ADEME Base Carbone" in text
    assert "450,00" in flat and "cassé" in text


def test_an_empty_month_renders_in_every_format():
    empty = MonthlyReport(month="2026-02", totals=ImpactFigures(), org="resto-le-comptoir")
    for fmt in ("csv", "xlsx", "pdf"):
        assert render(empty, fmt)
    with pytest.raises(ValueError, match="unknown report format"):
        render(empty, "docx")


def test_report_from_the_database_agrees_with_the_api_figures(session, actors, tmp_path):
    from bouteilles.reports import build_monthly_report
    from bouteilles.services.impact.figures import monthly_impact
    from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch

    coordinator = actors["coordinator"]
    site = actors["washing_site"].org
    for type_code, n_in, clean, rejected, day in (
        ("bouteille-75", 1000, 970, {"broken": 20, "chipped": 10}, 3),
        ("bocal-500", 200, 190, {"broken": 10}, 17),
    ):
        batch = open_batch(session, actor=coordinator, type_code=type_code, site_code=site.code)
        add_inputs(session, batch, actor=coordinator, count=n_in)
        close_batch(session, batch, actor=coordinator, clean=clean, rejected=rejected,
                    transport=[{"km": 40, "mode": "van"}],
                    closed_at=datetime(2026, 3, day, 15, tzinfo=UTC))
    api = monthly_impact(session, "2026-03")
    report = build_monthly_report(session, "2026-03")
    assert report.totals.co2e_avoided_g == api["co2e_avoided_g"] == 335_037 + 6_944 - 10_778
    assert report.series[-1].co2e_avoided_g == api["co2e_avoided_g"]
    assert [f.key for f in report.factor_sets[0].factors][:1] == ["e_su_box"]

    summary = {r["metric"]: int(r["value"]) for r in csv_sections(render_csv(report))["summary"]}
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    xlsx = {row[0]: row[1] for row in wb["Synthèse"].iter_rows(min_row=6, values_only=True)}
    for key, label in (("co2e_avoided_g", "CO₂e évité"), ("waste_avoided_g", "Déchets évités"),
                       ("co2e_process_g", "CO₂e du procédé (lavage, transport, remplacement)"),
                       ("to_recycling_g", "Verre envoyé au recyclage"),
                       ("containers_reused", "Contenants réemployés")):
        assert summary[key] == xlsx[label] == api[key], key
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(render_pdf(report))
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        flat = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}\b)", "", text)
        for key in ("co2e_avoided_g", "waste_avoided_g", "co2e_process_g"):
            assert f"soit {api[key]} g" in flat, key


def report_with_an_adjustment() -> tuple[MonthlyReport, AdjustmentRow]:
    """The sample month, plus a correction of a February batch made in March: 10 bottles
    counted clean were chipped (the differences of tests/services/washing/test_corrections.py)."""
    report = sample_report()
    delta = ImpactFigures(containers_reused=-10, containers_rejected=10,
                          co2e_avoided_g=-3_565, co2e_process_g=-355, waste_avoided_g=-5_600,
                          to_recycling_g=5_600)
    line = AdjustmentRow("L-0214", "2026-02", datetime(2026, 3, 4, 8, 15, tzinfo=UTC),
                         "lavage-lons", "bouteille-75", "fr-2026-1",
                         "=10 ébréchées comptées propres", delta)
    bottles = next(r for r in report.by_type if r.key == "bouteille-75")
    by_type = [BreakdownRow(r.key, r.label, _sum([r.figures, delta]), r.family)
               if r is bottles else r for r in report.by_type]
    by_site = [BreakdownRow(r.key, r.label, _sum([r.figures, delta]))
               if r.key == "lavage-lons" else r for r in report.by_site]
    rejects = [RejectRow(r.reason, r.count + 10, r.mass_g + 5_600) if r.reason == "chipped"
               else r for r in report.rejects]
    return replace(report, totals=_sum([report.totals, delta]), by_type=by_type,
                   by_site=by_site, rejects=rejects, adjustments=[line]), line


def test_an_adjustment_line_is_in_every_format_and_in_the_totals(tmp_path):
    report, line = report_with_an_adjustment()
    totals = report.totals
    assert totals.co2e_avoided_g == EXPECTED.co2e_avoided_g - 3_565
    assert sum(r.mass_g for r in report.rejects) == totals.to_recycling_g
    sections = csv_sections(render_csv(report))
    (adjustment,) = sections["adjustments"]
    assert adjustment["batch"] == "L-0214" and adjustment["batch_month"] == "2026-02"
    assert adjustment["reason"].startswith("'=")  # no formula injection
    for figure in ("co2e_avoided_g", "waste_avoided_g", "co2e_process_g", "to_recycling_g",
                   "containers_reused"):
        summed = sum(int(r[figure]) for r in sections["by_batch"] + sections["adjustments"])
        assert summed == getattr(totals, figure), figure
        for name in ("by_type", "by_site"):
            assert sum(int(r[figure]) for r in sections[name]) == getattr(totals, figure)
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert wb.sheetnames[:5] == ["Synthèse", "Par type", "Par site", "Par lot", "Ajustements"]
    rows = list(wb["Ajustements"].iter_rows(values_only=True))
    header, (row,) = rows[0], rows[1:]
    assert row[0] == "L-0214" and row[1] == "2026-02" and isinstance(row[2], datetime)
    assert row[header.index("CO₂e évité (g)")] == -3_565
    assert wb["Ajustements"].cell(2, 7).data_type == "s"  # the reason, text
    lots = list(wb["Par lot"].iter_rows(values_only=True))
    col = lots[0].index("CO₂e évité (g)")
    assert sum(r[col] for r in lots[1:]) + row[header.index("CO₂e évité (g)")] == \
        totals.co2e_avoided_g
    summary = {r[0]: r[1] for r in wb["Synthèse"].iter_rows(min_row=6, values_only=True)}
    assert summary["CO₂e évité"] == totals.co2e_avoided_g
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(render_pdf(report))
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        flat = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}\b)", "", text)
        assert f"soit {totals.co2e_avoided_g} g" in flat
        assert "Corrections de lots" in text and "L-0214 (février" in text
        assert "-3,6" in flat and "+10" in flat
