"""The monthly impact report as CSV for a French spreadsheet: a zip of one CSV per table.

Each file opens with a double-click in Excel or LibreOffice set to French and
reads with `pandas.read_csv(f, sep=";", decimal=",")`: `;` between fields, a
decimal comma, no digit grouping, UTF-8 with a BOM, masses in kilograms and
money in euros (exact: every gram, every cent), moments in Paris time as
`2026-03-03 17:45`, headers in the reader's language with their units
(docs/decisions.md, "Impact API, reports, dashboards").
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

from ..services.deposits import PARIS
from .model import MonthlyReport
from .tables import CENTS, COUNT, DECIMAL, GRAMS, Table, in_unit, report_tables

MEDIA_TYPE = "application/zip"
# A fixed date for the zip's entries: the same report gives the same bytes.
ENTRY_DATE = (2026, 1, 1, 0, 0, 0)


def _safe(value: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _decimal(value: Decimal | int) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",")


def cell(value: object, kind: str) -> str:
    """One value as French spreadsheets read it."""
    if value is None:
        return ""
    if kind in (GRAMS, CENTS):
        return _decimal(in_unit(value, kind))
    if kind in (COUNT, DECIMAL) and isinstance(value, int | Decimal | float) \
            and not isinstance(value, bool):
        return _decimal(Decimal(str(value)) if isinstance(value, float) else value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
    return _safe(str(value))


def table_csv(table: Table) -> bytes:
    """One table as a CSV file: UTF-8 with a BOM, `;`, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    writer.writerows([cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
                     for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def csv_files(report: MonthlyReport) -> dict[str, bytes]:
    """File name → CSV bytes, numbered in the report's order: 01-rapport.csv, 02-synthese.csv…"""
    return {f"{i:02d}-{table.name}.csv": table_csv(table)
            for i, table in enumerate(report_tables(report), start=1)}


def render_csv(report: MonthlyReport) -> bytes:
    """Render the report as a zip of CSV files, one per table."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in csv_files(report).items():
            entry = zipfile.ZipInfo(name, ENTRY_DATE)
            entry.external_attr = 0o644 << 16  # rw-r--r-- once unzipped
            archive.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
