"""The monthly impact report on the demo network: figures in the three formats, and timings.

    .venv/bin/python bench/impact_report.py [--runs 7] [--month YYYY-MM]

Loads the demo network (`flask demo`) into a temporary SQLite database, then
for the last full month and the current month (Paris calendar):

- reads GET /api/v1/impact's figures (services.impact.figures.monthly_impact) and the
  same totals with hand-written aggregate SQL over `batches` (the baseline),
  and checks they are equal;
- renders the report as CSV, XLSX and PDF, opens each file back (csv module,
  openpyxl, pdftotext) and checks its totals equal the API's;
- times (median of --runs) the API query, the baseline SQL (ratio printed),
  building the report (all its SQL) and rendering each format;
- writes test-output/report-<month>.{zip,xlsx,pdf} and the first page of the
  last full month's PDF as test-output/report-page1.png (pdftoppm).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import DateTime, bindparam, text  # noqa: E402

from bouteilles import create_app  # noqa: E402
from bouteilles.db.database import get_session, upgrade_database  # noqa: E402
from bouteilles.demo.network import load_demo  # noqa: E402
from bouteilles.reports import EXTENSIONS, build_monthly_report, render  # noqa: E402
from bouteilles.reports.tables import SUMMARY  # noqa: E402
from bouteilles.services.deposits import PARIS, month_bounds  # noqa: E402
from bouteilles.services.impact.figures import monthly_impact  # noqa: E402

OUTPUT = ROOT / "test-output"
TOTALS = ("batches", "inputs", "containers_reused", "containers_rejected", "co2e_avoided_g",
          "co2e_process_g", "waste_avoided_g", "to_recycling_g")
# The same five answers as monthly_impact, written by hand: totals, by type, by site,
# the batches, rejects by reason.
WHERE = "b.status = 'closed' AND b.closed_at >= :s AND b.closed_at < :e"
SUMS = ("count(b.id), coalesce(sum(b.inputs), 0), coalesce(sum(b.clean), 0), "
        "coalesce(sum(b.rejected), 0), coalesce(sum(b.co2e_avoided_g), 0), "
        "coalesce(sum(b.co2e_process_g), 0), coalesce(sum(b.waste_avoided_g), 0), "
        "coalesce(sum(b.to_recycling_g), 0)")
BASELINE = [text(sql).bindparams(bindparam("s", type_=DateTime()),
                                 bindparam("e", type_=DateTime())) for sql in (
    f"SELECT {SUMS} FROM batches b WHERE {WHERE}",
    f"SELECT t.code, {SUMS} FROM batches b JOIN container_types t ON t.id = b.type_id "
    f"WHERE {WHERE} GROUP BY t.code ORDER BY t.code",
    f"SELECT o.code, {SUMS} FROM batches b JOIN organisations o ON o.id = b.site_id "
    f"WHERE {WHERE} GROUP BY o.code ORDER BY o.code",
    "SELECT b.id, b.code, b.closed_at, o.code, t.code, f.code, b.inputs, b.clean, b.rejected, "
    "b.co2e_avoided_g, b.co2e_process_g, b.waste_avoided_g, b.to_recycling_g FROM batches b "
    "JOIN organisations o ON o.id = b.site_id JOIN container_types t ON t.id = b.type_id "
    f"LEFT JOIN factor_sets f ON f.id = b.factor_set_id WHERE {WHERE} "
    "ORDER BY b.closed_at, b.id",
    "SELECT r.reason, sum(r.count), sum(r.count * t.mass_g) FROM batch_rejects r "
    "JOIN batches b ON b.id = r.batch_id JOIN container_types t ON t.id = b.type_id "
    f"WHERE {WHERE} GROUP BY r.reason ORDER BY r.reason",
)]


def timed(runs: int, work) -> tuple[float, object]:
    """Median wall time of `runs` calls (seconds) and the last result."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def baseline(session, month: str) -> dict[str, int]:
    start, end = (b.astimezone(UTC).replace(tzinfo=None) for b in month_bounds(month))
    answers = [session.execute(sql, {"s": start, "e": end}).all() for sql in BASELINE]
    return dict(zip(TOTALS, (int(v) for v in answers[0][0]), strict=True))


def csv_totals(data: bytes) -> dict[str, int]:
    """The summary file of the CSV zip (`;`, a decimal comma, kilograms) in grams."""
    labels = {label: key for key, label in SUMMARY}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("-synthese.csv"))
        text = archive.read(name).decode("utf-8-sig")
    found = {}
    for label, value, unit in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]:
        number = Decimal(value.replace(",", "."))
        if label in labels:
            found[labels[label]] = int(number * 1000 if unit == "kg" else number)
    return found


XLSX_LABELS = {"Contenants réemployés": "containers_reused", "CO₂e évité": "co2e_avoided_g",
               "CO₂e du procédé (lavage, transport, remplacement)": "co2e_process_g",
               "Déchets évités": "waste_avoided_g", "Verre envoyé au recyclage": "to_recycling_g",
               "Lots de lavage clôturés": "batches", "Contenants entrés en lavage": "inputs",
               "Contenants écartés": "containers_rejected"}


def xlsx_totals(data: bytes) -> dict[str, int]:
    ws = load_workbook(io.BytesIO(data))["Synthèse"]
    return {XLSX_LABELS[r[0]]: r[1] for r in ws.iter_rows(min_row=6, values_only=True)
            if r[0] in XLSX_LABELS}


def pdf_totals(path: Path) -> dict[str, int]:
    """The headline figures of the PDF's first page, read back with pdftotext."""
    page = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}\b)", "", page)
    grams = [int(g) for g in re.findall(r"soit (-?\d+) g", flat)]
    found = dict(zip(("co2e_avoided_g", "waste_avoided_g", "co2e_process_g"), grams,
                     strict=False))
    washed = re.search(r"(\d+) contenants lavés, (\d+) propres et (\d+) écartés", flat)
    if washed:
        found |= dict(zip(("inputs", "containers_reused", "containers_rejected"),
                          (int(g) for g in washed.groups()), strict=True))
    glass = re.search(r"([\d,]+) kg de verre écarté", flat)
    if glass:
        found["to_recycling_g"] = round(float(glass.group(1).replace(",", ".")) * 1000)
    lots = re.search(r"(\d+) lot\(s\) de lavage", flat)
    if lots:
        found["batches"] = int(lots.group(1))
    return found


def previous_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - (mon == 1)}-{(mon - 2) % 12 + 1:02d}"


def measure(session, month: str, runs: int, first_page: bool) -> None:
    api_s, api = timed(runs, lambda: monthly_impact(session, month))
    base_s, base = timed(runs, lambda: baseline(session, month))
    assert {k: api[k] for k in TOTALS} == base, (api, base)
    print(f"\n== {month} (whole network) ==")
    print("API figures: " + ", ".join(f"{k}={api[k]}" for k in TOTALS))
    print(f"API query monthly_impact (totals, by type, by site, by batch, rejects) "
          f"{api_s * 1000:.2f} ms vs hand-written SQL (same 5 answers) {base_s * 1000:.2f} ms "
          f"(ratio {api_s / base_s:.2f}x)")
    build_s, report = timed(runs, lambda: build_monthly_report(session, month))
    print(f"build report (all its SQL: month, 12-month series, factors, deposits) "
          f"{build_s * 1000:.2f} ms")
    OUTPUT.mkdir(exist_ok=True)
    for fmt in ("csv", "xlsx", "pdf"):
        render_s, data = timed(runs, lambda fmt=fmt: render(report, fmt))
        path = OUTPUT / f"report-{month}.{EXTENSIONS[fmt]}"
        path.write_bytes(data)
        read = {"csv": lambda d=data: csv_totals(d), "xlsx": lambda d=data: xlsx_totals(d),
                "pdf": lambda p=path: pdf_totals(p)}[fmt]()
        agree = len(read) == 8 and all(read[k] == api[k] for k in read)
        print(f"{fmt:4}: {len(data):>7} bytes, render {render_s * 1000:7.1f} ms, "
              f"total {(build_s + render_s) * 1000:7.1f} ms (vs baseline SQL: "
              f"{(build_s + render_s) / base_s:,.0f}x); totals read back "
              f"{'AGREE' if agree else 'DIFFER'} ({len(read)} figures: "
              + ", ".join(f"{k}={v}" for k, v in sorted(read.items())) + ")")
        assert agree, (fmt, read, api)
    if first_page and shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(OUTPUT / f"report-{month}.pdf"), str(OUTPUT / "report-page1")],
                       check=True)
        print(f"first page: {OUTPUT / 'report-page1.png'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--month", help="default: the last full month and the current month")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
                          "SECRET_KEY": "bench", "BASE_URL": "http://127.0.0.1"})
        t0 = time.perf_counter()
        upgrade_database(app)
        with app.app_context():
            session = get_session()
            load_demo(session)
            session.commit()
            print(f"demo network loaded in {time.perf_counter() - t0:.1f} s (SQLite, {tmp})")
            current = datetime.now(PARIS).strftime("%Y-%m")
            months = [args.month] if args.month else [previous_month(current), current]
            for i, month in enumerate(months):
                measure(session, month, args.runs, first_page=i == 0)
        app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
