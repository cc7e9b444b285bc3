"""The monthly impact report as an XLSX workbook: a summary sheet and one sheet per breakdown,
headed in the reader's language (French outside a request)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask_babel import gettext, ngettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..formatting import paris_time
from ..i18n import N_
from ..services.deposits import PARIS
from .csv_report import FIGURE_COLUMNS
from .model import ImpactFigures, MonthlyReport

GREEN = "2E6B4F"
INT_FORMAT = "#,##0"
EURO_FORMAT = '#,##0.00 "€"'
FIGURE_HEADERS = (
    N_("Lots"), N_("Entrées"), N_("Réemployés"), N_("Rebuts"), N_("CO₂e évité (g)"),
    N_("CO₂e du procédé (g)"), N_("Déchets évités (g)"), N_("Verre au recyclage (g)"),
)
SUMMARY = (
    ("containers_reused", N_("Contenants réemployés"), N_("contenants")),
    ("co2e_avoided_g", N_("CO₂e évité"), "g CO₂e"),
    ("co2e_process_g", N_("CO₂e du procédé (lavage, transport, remplacement)"), "g CO₂e"),
    ("waste_avoided_g", N_("Déchets évités"), "g"),
    ("to_recycling_g", N_("Verre envoyé au recyclage"), "g"),
    ("batches", N_("Lots de lavage clôturés"), N_("lots")),
    ("inputs", N_("Contenants entrés en lavage"), N_("contenants")),
    ("containers_rejected", N_("Contenants écartés"), N_("contenants")),
)


def _figure_headers() -> tuple[str, ...]:
    return tuple(gettext(header) for header in FIGURE_HEADERS)


def _table(
    ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[object]], *, start_row: int = 1,
    formats: dict[int, str] | None = None,
) -> int:
    """Write a header row and rows; return the next free row."""
    for col, title in enumerate(headers, start=1):
        cell = ws.cell(row=start_row, column=col, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=GREEN)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    row_no = start_row
    for row_no, row in enumerate(rows, start=start_row + 1):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=row_no, column=col, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            elif isinstance(value, int | Decimal | float) and not isinstance(value, bool):
                cell.number_format = (formats or {}).get(col, INT_FORMAT)
    for col, title in enumerate(headers, start=1):
        width = max(len(title), *(len(str(ws.cell(r, col).value or "")) for r in
                                  range(start_row, row_no + 1)))
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0,
                                                 min(width + 2, 60))
    if start_row == 1:
        ws.freeze_panes = "A2"
    return row_no + 2


def _figures(figures: ImpactFigures) -> list[int]:
    return [getattr(figures, name) for name in FIGURE_COLUMNS]


def _summary(ws: Worksheet, report: MonthlyReport) -> None:
    ws.title = gettext("Synthèse")
    ws["A1"] = gettext("Rapport d'impact — %(month)s — %(scope)s", month=report.month_label,
                       scope=report.scope)
    ws["A1"].font = Font(bold=True, size=14, color=GREEN)
    ws["A2"] = gettext("Mois : %(month)s · édité le %(at)s", month=report.month,
                       at=paris_time(report.generated_at))
    sets = ", ".join(s.code for s in report.factor_sets) or "—"
    ws["A3"] = ngettext("Jeu de facteurs : %(sets)s. Masses en grammes, CO₂e en grammes "
                        "d'équivalent CO₂.",
                        "Jeux de facteurs : %(sets)s. Masses en grammes, CO₂e en grammes "
                        "d'équivalent CO₂.", len(report.factor_sets), sets=sets)
    rows = [(gettext(label), getattr(report.totals, key), gettext(unit))
            for key, label, unit in SUMMARY]
    _table(ws, (gettext("Indicateur"), gettext("Valeur"), gettext("Unité")), rows, start_row=5)
    ws.freeze_panes = None


def _series(ws: Worksheet, report: MonthlyReport) -> None:
    headers = (gettext("Mois"), gettext("Réemployés"), gettext("CO₂e évité (g)"),
               gettext("CO₂e du procédé (g)"), gettext("Déchets évités (g)"))
    rows = [(p.month, p.containers_reused, p.co2e_avoided_g, p.co2e_process_g, p.waste_avoided_g)
            for p in report.series]
    _table(ws, headers, rows)
    if rows:
        chart = BarChart()
        chart.title = gettext("CO₂e évité par mois (g)")
        chart.y_axis.title = "g CO₂e"
        chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=len(rows) + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
        chart.legend = None
        chart.width, chart.height = 22, 9
        ws.add_chart(chart, "G2")


def render_xlsx(report: MonthlyReport) -> bytes:
    """Render the report as an XLSX workbook with real number cells."""
    wb = Workbook()
    _summary(wb.active, report)
    breakdowns = ((gettext("Par type"), gettext("Type"), report.by_type),
                  (gettext("Par site"), gettext("Site"), report.by_site))
    for title, key, rows in breakdowns:
        ws = wb.create_sheet(title)
        data = [[r.key, r.label, *_figures(r.figures)] for r in rows]
        data.append([gettext("Total"), "", *_figures(report.totals)])
        _table(ws, (key, gettext("Libellé"), *_figure_headers()), data)
    ws = wb.create_sheet(gettext("Par lot"))
    _table(
        ws, (gettext("Lot"), gettext("Clôturé le"), gettext("Site"), gettext("Type"),
             gettext("Jeu de facteurs"), *_figure_headers()),
        ([b.code, b.closed_at.astimezone(PARIS).replace(tzinfo=None), b.site, b.type,
          b.factor_set, *_figures(b.figures)] for b in report.by_batch),
    )
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "dd/mm/yyyy hh:mm"
    ws = wb.create_sheet(gettext("Ajustements"))
    _table(
        ws, (gettext("Lot"), gettext("Mois du lot"), gettext("Corrigé le"), gettext("Site"),
             gettext("Type"), gettext("Jeu de facteurs"), gettext("Motif"),
             *_figure_headers()),
        ([a.batch, a.batch_month, a.corrected_at.astimezone(PARIS).replace(tzinfo=None),
          a.site, a.type, a.factor_set, a.reason, *_figures(a.figures)]
         for a in report.adjustments),
    )
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "dd/mm/yyyy hh:mm"
    _table(wb.create_sheet(gettext("Rebuts")),
           (gettext("Motif"), gettext("Libellé"), gettext("Nombre"), gettext("Masse (g)")),
           ([r.reason, gettext(r.label), r.count, r.mass_g] for r in report.rejects))
    _series(wb.create_sheet(gettext("12 mois")), report)
    _table(
        wb.create_sheet(gettext("Facteurs")),
        (gettext("Jeu de facteurs"), gettext("Clé"), gettext("Valeur"), gettext("Unité"),
         gettext("Source")),
        ([s.code, f.key, f.value, f.unit, f.source] for s in report.factor_sets for f in s.factors),
        formats={3: "General"},
    )
    if report.deposits is not None:
        dep = report.deposits
        ws = wb.create_sheet(gettext("Consignes"))
        euros = {2: EURO_FORMAT, 3: EURO_FORMAT, 4: EURO_FORMAT}
        rows = [(r.org, r.taken_cents, r.refunded_cents, r.held_cents) for r in dep.rows]
        rows.append((gettext("Total"), dep.taken_cents, dep.refunded_cents, dep.held_cents))
        nxt = _table(
            ws, (gettext("Organisation"), gettext("Consignes encaissées (€)"),
                 gettext("Remboursées (€)"), gettext("Solde net (€)")),
            [(o, *(Decimal(c) / 100 for c in cents)) for o, *cents in rows], formats=euros,
        )
        _table(ws, (gettext("De"), gettext("À"), gettext("Montant (€)")),
               [(s.from_org, s.to_org, Decimal(s.amount_cents) / 100) for s in dep.settlements],
               start_row=nxt, formats={3: EURO_FORMAT})
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
