"""The monthly impact report as an XLSX workbook: a summary sheet and one sheet per breakdown,
headed in the reader's language (French outside a request), ready to print: A4, fitted to
the page's width (landscape when wide), the header row frozen and repeated on each page.
Names, not codes; months and moments are date cells (Paris time); figures are numbers,
in exact grams and euros, their unit in the header."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
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
from .model import ImpactFigures, MonthlyReport
from .tables import (
    CENTS,
    FIGURES,
    GRAMS,
    SUMMARY,
    in_unit,
    indicators,
    names,
    other_sections,
    site_of,
    type_of,
)

GREEN = "2E6B4F"
INT_FORMAT = "#,##0"
EURO_FORMAT = '#,##0.00 "€"'
MOMENT_FORMAT = "dd/mm/yyyy hh:mm"
MONTH_FORMAT = "mmmm yyyy"
LANDSCAPE_PAST = 6  # columns: a wider sheet prints landscape
FIGURE_HEADERS = (
    N_("Lots"), N_("Entrées"), N_("Réemployés"), N_("Rebuts"), N_("CO₂e évité (g)"),
    N_("CO₂e du procédé (g)"), N_("Déchets évités (g)"), N_("Verre au recyclage (g)"),
)
# The summary's units (its labels and order: tables.SUMMARY); the workbook keeps grams.
UNITS = {"containers_reused": N_("contenants"), "co2e_avoided_g": "g CO₂e",
         "co2e_process_g": "g CO₂e", "waste_avoided_g": "g", "to_recycling_g": "g",
         "batches": N_("lots"), "inputs": N_("contenants"),
         "containers_rejected": N_("contenants")}


def _figure_headers() -> tuple[str, ...]:
    return tuple(gettext(header) for header in FIGURE_HEADERS)


def _month(month: str) -> date:
    """A YYYY-MM month as the date of its first day (a date cell shown as "mars 2026")."""
    year, number = month.split("-")[:2]
    return date(int(year), int(number), 1)


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
            elif isinstance(value, date):
                cell.number_format = (formats or {}).get(col, MOMENT_FORMAT)
    for col, title in enumerate(headers, start=1):
        width = max(len(title), *(len(_shown(ws.cell(r, col).value)) for r in
                                  range(start_row, row_no + 1)))
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0,
                                                 min(width + 2, 60))
    if start_row == 1:
        ws.freeze_panes = "A2"
        _print_setup(ws, len(headers), header_row=1)
    return row_no + 2


def _shown(value: object) -> str:
    """About what a cell shows, to size its column."""
    if isinstance(value, date):
        return "00/00/0000 00:00"
    return str(value or "")


def _print_setup(ws: Worksheet, width: int, *, header_row: int) -> None:
    """A4, fitted to the page's width, landscape when wide, the header row on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > LANDSCAPE_PAST else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "&P / &N"


def _figures(figures: ImpactFigures) -> list[int]:
    return [getattr(figures, key) for key, _, _ in FIGURES]


def _summary(ws: Worksheet, report: MonthlyReport) -> None:
    ws.title = gettext("Synthèse")
    period = getattr(report, "period_label", report.month_label)
    territorial = getattr(report, "territory_name", None) and not report.org
    ws["A1"] = report.title if territorial else gettext(
        "Rapport d'impact — %(month)s — %(scope)s", month=period, scope=report.scope)
    ws["A1"].font = Font(bold=True, size=14, color=GREEN)
    ws["A2"] = gettext("Mois : %(month)s · édité le %(at)s", month=period,
                       at=paris_time(report.generated_at))
    sets = ", ".join(s.name or s.code for s in report.factor_sets) or "—"
    ws["A3"] = ngettext("Jeu de facteurs : %(sets)s. Masses en grammes, CO₂e en grammes "
                        "d'équivalent CO₂.",
                        "Jeux de facteurs : %(sets)s. Masses en grammes, CO₂e en grammes "
                        "d'équivalent CO₂.", len(report.factor_sets), sets=sets)
    issuer = getattr(report, "issuer", None)
    if issuer is not None:
        ws["A4"] = " · ".join(part for part in (issuer.name, (issuer.address or "")
                                                 .replace("\n", ", "), issuer.siret_label)
                               if part)
    rows = [(gettext(label), getattr(report.totals, key), gettext(UNITS[key]))
            for key, label in SUMMARY]
    _table(ws, (gettext("Indicateur"), gettext("Valeur"), gettext("Unité")), rows, start_row=5)
    ws.freeze_panes = "A6"
    _print_setup(ws, 3, header_row=5)


def _series(ws: Worksheet, report: MonthlyReport) -> None:
    headers = (gettext("Mois"), gettext("Réemployés"), gettext("CO₂e évité (g)"),
               gettext("CO₂e du procédé (g)"), gettext("Déchets évités (g)"))
    rows = [(_month(p.month), p.containers_reused, p.co2e_avoided_g, p.co2e_process_g,
             p.waste_avoided_g) for p in report.series]
    _table(ws, headers, rows, formats={1: MONTH_FORMAT})
    if rows:
        chart = BarChart()
        chart.title = gettext("CO₂e évité par mois (g)")
        chart.y_axis.title = "g CO₂e"
        chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=len(rows) + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
        chart.x_axis.number_format = "mmm yyyy"
        chart.legend = None
        chart.width, chart.height = 22, 9
        ws.add_chart(chart, f"A{len(rows) + 3}")  # under the table: the page's width holds


def render_xlsx(report: MonthlyReport) -> bytes:
    """Render the report as an XLSX workbook with real number and date cells."""
    wb = Workbook()
    _summary(wb.active, report)
    name = names(report)
    breakdowns = ((gettext("Par type"), gettext("Type de contenant"), report.by_type),
                  (gettext("Par site"), gettext("Site de lavage"), report.by_site))
    for title, key, rows in breakdowns:
        ws = wb.create_sheet(title)
        data = [[r.label or r.key, *_figures(r.figures)] for r in rows]
        data.append([gettext("Total"), *_figures(report.totals)])
        _table(ws, (key, *_figure_headers()), data)
    _table(
        wb.create_sheet(gettext("Par lot")),
        (gettext("Lot"), gettext("Clôturé le (heure de Paris)"), gettext("Site de lavage"),
         gettext("Type de contenant"), gettext("Jeu de facteurs"), *_figure_headers()),
        ([b.code, b.closed_at.astimezone(PARIS).replace(tzinfo=None), site_of(b, name),
          type_of(b, name), name(b.factor_set), *_figures(b.figures)] for b in report.by_batch),
    )
    _table(
        wb.create_sheet(gettext("Ajustements")),
        (gettext("Lot"), gettext("Mois du lot"), gettext("Corrigé le (heure de Paris)"),
         gettext("Site de lavage"),
         gettext("Type de contenant"), gettext("Jeu de facteurs"), gettext("Motif"),
         *_figure_headers()),
        ([a.batch, _month(a.batch_month), a.corrected_at.astimezone(PARIS).replace(tzinfo=None),
          site_of(a, name), type_of(a, name), name(a.factor_set), a.reason,
          *_figures(a.figures)]
         for a in report.adjustments),
        formats={2: MONTH_FORMAT},
    )
    _table(wb.create_sheet(gettext("Rebuts")),
           (gettext("Motif"), gettext("Nombre"), gettext("Masse (g)")),
           ([gettext(r.label), r.count, r.mass_g] for r in report.rejects))
    extra = indicators(report)
    if extra.rows:
        _table(wb.create_sheet(gettext("Indicateurs")), [c.header for c in extra.columns],
               extra.rows, formats={2: "General"})
    _series(wb.create_sheet(gettext("12 mois")), report)
    _table(
        wb.create_sheet(gettext("Facteurs")),
        (gettext("Jeu de facteurs"), gettext("Facteur"), gettext("Valeur"),
         gettext("Bas de la plage"), gettext("Haut de la plage"), gettext("Unité"),
         gettext("Source")),
        ([s.name or s.code, f.key, f.value, getattr(f, "low", None), getattr(f, "high", None),
          f.unit, f.source] for s in report.factor_sets for f in s.factors),
        formats={3: "General", 4: "General", 5: "General"},
    )
    if report.deposits is not None:
        _deposits(wb.create_sheet(gettext("Consignes")), report)
    for table in other_sections(report):  # sections added to the report since: as they are
        kinds = [c.kind for c in table.columns]
        _table(wb.create_sheet(table.name[:31]), [c.header for c in table.columns],
               ([in_unit(v, k) if k in (GRAMS, CENTS) and isinstance(v, int) else v
                 for v, k in zip(row, kinds, strict=True)] for row in table.rows))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _deposits(ws: Worksheet, report: MonthlyReport) -> None:
    dep = report.deposits
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
