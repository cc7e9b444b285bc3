"""The three renderings of a hand-built monthly report carry the same figures to the gram."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from reports.csv_read import (
    CSV_FIGURES,
    column_total,
    csv_summary,
    csv_tables,
    decimal,
    exact_grams,
)

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


def test_sample_report_is_consistent():
    report = sample_report()
    assert report.totals == EXPECTED
    assert _sum([r.figures for r in report.by_type]) == EXPECTED
    assert _sum([r.figures for r in report.by_site]) == EXPECTED
    assert sum(r.mass_g for r in report.rejects) == EXPECTED.to_recycling_g
    assert report.bottles_reused == 970 + 2900


def test_csv_totals():
    tables = csv_tables(render_csv(sample_report()))
    assert list(tables) == ["rapport", "synthese", "indicateurs", "par-type", "par-site", "par-lot",
                            "ajustements", "rebuts", "douze-mois", "facteurs", "consignes",
                            "reglements"]
    assert csv_summary(render_csv(sample_report())) == {
        f.name: getattr(EXPECTED, f.name) for f in fields(ImpactFigures)}
    for name in ("par-type", "par-site", "par-lot"):
        for key, header in CSV_FIGURES.items():
            assert column_total(tables[name], header) == getattr(EXPECTED, key), (name, key)
    assert tables["par-type"][0]["CO₂e évité (kg)"] == "335,037"  # decimal comma, no grouping
    assert column_total(tables["rebuts"], "Verre au recyclage (kg)") == EXPECTED.to_recycling_g
    assert tables["rebuts"][0]["Motif"] == "cassé"  # a label, not the code
    assert exact_grams(tables["douze-mois"][-1]["CO₂e évité (kg)"]) == 1_251_419
    assert len(tables["facteurs"]) == 9 and tables["facteurs"][0]["Valeur"] == "0,70"
    # Money in euros, exact; no total line for a spreadsheet to count twice.
    assert [decimal(r["Solde net (€)"]) for r in tables["consignes"]] == [40, 30]
    assert tables["consignes"][0]["Consignes encaissées (€)"] == "300,00"
    summary = {r["Indicateur"]: r for r in tables["synthese"]}
    assert summary["Solde net des consignes"]["Valeur"] == "70,00"
    assert summary["Solde net des consignes"]["Unité"] == "€"
    assert tables["reglements"] == [{"De": "resto-le-comptoir", "À": "resto-chez-paul",
                                     "Montant (€)": "15,00"}]
    assert tables["consignes"][1]["Organisation"].startswith("'=")  # no formula injection
    # Moments in Paris time (16:45 UTC in March is 17:45 in Paris); names, not codes.
    lot = tables["par-lot"][0]
    assert lot["Clôturé le (heure de Paris)"] == "2026-03-03 17:45"
    assert lot["Site de lavage"] == "Lavage lons" and lot["Type de contenant"] == "Bouteille 75"
    about = {r["Rubrique"]: r["Valeur"] for r in tables["rapport"]}
    assert about["Mois"] == "mars 2026" and about["Édité le (heure de Paris)"] == \
        "2026-04-01 08:00"


def test_every_csv_file_reads_as_one_typed_table():
    """What `pandas.read_csv(f, sep=";", decimal=",")` needs: one table per file, as wide
    as its header, and every cell of a number column a number (float() after the comma)."""
    report, _ = report_with_an_adjustment()
    with zipfile.ZipFile(io.BytesIO(render_csv(report))) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8-sig")
            assert "\r\n\r\n" not in text and text.endswith("\r\n"), name
            header, *rows = csv.reader(io.StringIO(text), delimiter=";")
            assert len(set(header)) == len(header), name
            for col, title in enumerate(header):
                if title.endswith(("(kg)", "(€)")) or title in (
                        "Lots", "Nombre", "Contenants entrés", "Contenants réemployés",
                        "Contenants écartés"):
                    assert all(isinstance(float(r[col].replace(",", ".")), float)
                               for r in rows), (name, title)
    assert render_csv(report) == render_csv(report)  # the same bytes for the same report


def test_english_headers_follow_the_page_language(app):
    report, _ = report_with_an_adjustment()
    with app.test_request_context("/?lang=en"):
        tables = csv_tables(render_csv(report))
        wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert "by-batch" in tables and "summary" in tables
    lot = tables["by-batch"][0]
    assert lot["CO₂e avoided (kg)"] == "335,037"  # still a decimal comma: French spreadsheets
    assert "Closed (Paris time)" in lot
    assert tables["rejects"][0]["Reason"] == "broken"
    assert wb.sheetnames[:4] == ["Summary", "By type", "By site", "By batch"]
    assert "CO₂e avoided (g)" in [c.value for c in wb["By batch"][1]]


@dataclass(frozen=True)
class _Hours:
    site: str
    hours: Decimal
    amount_cents: int


def test_a_section_added_to_the_report_gets_its_own_table():
    """Fields the renderers do not know yet are rendered as they are, one table each."""
    @dataclass(frozen=True)
    class Later(MonthlyReport):
        hours: list[_Hours] = field(default_factory=list)
        funder: str = "Région Bourgogne-Franche-Comté"

    report = Later(**{f.name: getattr(sample_report(), f.name)
                      for f in fields(MonthlyReport)},
                   hours=[_Hours("lavage-lons", Decimal("12.5"), 25_000)])
    tables = csv_tables(render_csv(report))
    assert tables["hours"] == [{"site": "lavage-lons", "hours": "12,5",
                                "amount_cents (€)": "250,00"}]
    assert {"Rubrique": "funder", "Valeur": "Région Bourgogne-Franche-Comté"} in tables["rapport"]
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert [c.value for c in wb["hours"][2]] == ["lavage-lons", 12.5, 250]


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


def test_xlsx_prints_on_a4_with_dates_and_names():
    report, _ = report_with_an_adjustment()
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1, ws.title
        assert setup.fitToHeight == 0, ws.title
        header = 5 if ws.title == "Synthèse" else 1
        assert ws.print_title_rows == f"${header}:${header}", ws.title
        assert ws.freeze_panes == f"A{header + 1}", ws.title
        wide = ws.max_column > 6 and ws.title != "12 mois"  # the chart is no column
        assert setup.orientation == ("landscape" if wide else "portrait"), ws.title
    months = wb["12 mois"]
    assert months["A2"].value == datetime(2025, 4, 1) and months["A2"].is_date
    assert months["A2"].number_format == "mmmm yyyy"
    assert months["A13"].value == datetime(2026, 3, 1)
    closed = wb["Par lot"]["B2"]
    assert closed.value == datetime(2026, 3, 3, 17, 45) and closed.number_format == \
        "dd/mm/yyyy hh:mm"  # Paris time
    codes = {"bouteille-75", "bocal-500", "clavelin-62", "lavage-lons",
             "lavage-arbois", "broken", "chipped", "wrong_model"}
    for sheet in ("Par type", "Par site", "Par lot", "Ajustements", "Rebuts"):
        values = {c for row in wb[sheet].iter_rows(values_only=True) for c in row}
        assert not values & codes, (sheet, values & codes)
    lots = list(wb["Par lot"].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert lots[2:5] == ("Lavage lons", "Bouteille 75", "Facteurs France 2026")
    assert [r[0] for r in wb["Rebuts"].iter_rows(min_row=2, values_only=True)] == [
        "cassé", "ébréché", "mauvais modèle"]


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

    summary = csv_summary(render_csv(report))
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
    tables = csv_tables(render_csv(report))
    (adjustment,) = tables["ajustements"]
    assert adjustment["Lot"] == "L-0214" and adjustment["Mois du lot"] == "2026-02"
    assert adjustment["Motif"].startswith("'=")  # no formula injection
    assert adjustment["CO₂e évité (kg)"] == "-3,565"
    for figure, header in CSV_FIGURES.items():
        summed = column_total(tables["par-lot"] + tables["ajustements"], header)
        assert summed == getattr(totals, figure), figure
        for name in ("par-type", "par-site"):
            assert column_total(tables[name], header) == getattr(totals, figure)
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert wb.sheetnames[:5] == ["Synthèse", "Par type", "Par site", "Par lot", "Ajustements"]
    rows = list(wb["Ajustements"].iter_rows(values_only=True))
    header, (row,) = rows[0], rows[1:]
    assert row[0] == "L-0214" and row[1] == datetime(2026, 2, 1) and isinstance(row[2], datetime)
    assert wb["Ajustements"].cell(2, 2).number_format == "mmmm yyyy"
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
