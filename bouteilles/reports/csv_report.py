"""The monthly impact report as CSV: titled sections, one header row each, exact integers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .model import ImpactFigures, MonthlyReport

FIGURE_COLUMNS = (
    "batches", "inputs", "containers_reused", "containers_rejected",
    "co2e_avoided_g", "co2e_process_g", "waste_avoided_g", "to_recycling_g",
)
SUMMARY_UNITS = {
    "batches": "batches", "inputs": "containers", "containers_reused": "containers",
    "containers_rejected": "containers", "co2e_avoided_g": "g CO2e",
    "co2e_process_g": "g CO2e", "waste_avoided_g": "g", "to_recycling_g": "g",
}


def _figures(figures: ImpactFigures) -> list[int]:
    return [getattr(figures, name) for name in FIGURE_COLUMNS]


def _safe(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _section(writer: csv.writer, name: str, header: Iterable[str], rows: Iterable[list]) -> None:
    writer.writerow([f"[{name}]"])
    writer.writerow(list(header))
    writer.writerows([_safe(v) for v in row] for row in rows)
    writer.writerow([])


def render_csv(report: MonthlyReport) -> bytes:
    """Render the report as UTF-8 CSV (with BOM, for spreadsheets) in titled sections."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["report", "impact", "month", report.month, "org", report.org or ""])
    writer.writerow(["generated_at", report.generated_at.isoformat(timespec="seconds")])
    writer.writerow([])
    _section(
        writer, "summary", ["metric", "value", "unit"],
        ([name, getattr(report.totals, name), SUMMARY_UNITS[name]] for name in FIGURE_COLUMNS),
    )
    for name, rows in (("by_type", report.by_type), ("by_site", report.by_site)):
        key = "type" if name == "by_type" else "site"
        _section(
            writer, name, [key, "label", *FIGURE_COLUMNS],
            ([r.key, r.label, *_figures(r.figures)] for r in rows),
        )
    _section(
        writer, "by_batch", ["batch", "closed_at", "site", "type", "factor_set", *FIGURE_COLUMNS],
        (
            [b.code, b.closed_at.isoformat(timespec="seconds"), b.site, b.type, b.factor_set,
             *_figures(b.figures)]
            for b in report.by_batch
        ),
    )
    _section(
        writer, "adjustments",
        ["batch", "batch_month", "corrected_at", "site", "type", "factor_set", "reason",
         *FIGURE_COLUMNS],
        (
            [a.batch, a.batch_month, a.corrected_at.isoformat(timespec="seconds"), a.site,
             a.type, a.factor_set, a.reason, *_figures(a.figures)]
            for a in report.adjustments
        ),
    )
    _section(
        writer, "rejects", ["reason", "label", "count", "mass_g"],
        ([r.reason, r.label, r.count, r.mass_g] for r in report.rejects),
    )
    _section(
        writer, "twelve_months",
        ["month", "containers_reused", "co2e_avoided_g", "co2e_process_g", "waste_avoided_g"],
        (
            [p.month, p.containers_reused, p.co2e_avoided_g, p.co2e_process_g, p.waste_avoided_g]
            for p in report.series
        ),
    )
    _section(
        writer, "factors", ["factor_set", "key", "value", "unit", "source"],
        ([s.code, f.key, str(f.value), f.unit, f.source] for s in report.factor_sets
         for f in s.factors),
    )
    if report.deposits is not None:
        dep = report.deposits
        _section(
            writer, "deposits", ["org", "taken_cents", "refunded_cents", "held_cents"],
            [*([r.org, r.taken_cents, r.refunded_cents, r.held_cents] for r in dep.rows),
             ["total", dep.taken_cents, dep.refunded_cents, dep.held_cents]],
        )
        _section(
            writer, "settlements", ["from", "to", "amount_cents"],
            ([s.from_org, s.to_org, s.amount_cents] for s in dep.settlements),
        )
    return out.getvalue().encode("utf-8-sig")
