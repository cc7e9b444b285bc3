"""The monthly impact report as a PDF in French (reportlab): figures, chart, breakdowns, method."""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.sax.saxutils import escape as esc
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .model import (
    METHOD_FR,
    BreakdownRow,
    MonthlyReport,
    fr_decimal,
    fr_euros,
    fr_int,
    fr_kg,
    fr_mass,
)
from .pdf_style import CONTENT_WIDTH, MUTED, PALE, Styles, chart

PARIS = ZoneInfo("Europe/Paris")
MAX_BATCH_ROWS = 30


def _cards(report: MonthlyReport, st: Styles) -> Table:
    """Four headline figures in cards."""
    t = report.totals
    cards = []
    headline = ((t.co2e_avoided_g, f"{st.co2}e évité"), (t.waste_avoided_g, "déchets évités"),
                (t.co2e_process_g, f"{st.co2}e du procédé"))
    for grams, what in headline:
        value, unit = fr_mass(grams)
        cards.append([Paragraph(f"{value} {unit}", st.big), Paragraph(what, st.card),
                      Paragraph(f"soit {fr_int(grams)} g", st.note)])
    reused = [Paragraph(fr_int(t.containers_reused), st.big),
              Paragraph("contenants réemployés", st.card),
              Paragraph(f"{fr_int(t.batches)} lot(s) de lavage", st.note)]
    cards.insert(0, reused)
    table = Table([cards], colWidths=[CONTENT_WIDTH / 4] * 4)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), PALE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBEFORE", (1, 0), (-1, -1), 2, colors.white),
        ("TOPPADDING", (0, 0), (-1, -1), 9), ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
    ]))
    return table


def _breakdown(rows: list[BreakdownRow], report: MonthlyReport, st: Styles, what: str) -> Table:
    """A breakdown table (by type or by site) in kilograms to the gram, with a total row."""
    data: list[list] = [[what, "Réemployés", "Écartés", f"{st.co2}e évité (kg)",
                         f"{st.co2}e procédé (kg)", "Déchets évités (kg)", "Recyclage (kg)"]]
    for key, figures in [(r.label or r.key, r.figures) for r in rows] + [("Total", report.totals)]:
        data.append([Paragraph(esc(key), st.cell), fr_int(figures.containers_reused),
                     fr_int(figures.containers_rejected), fr_kg(figures.co2e_avoided_g),
                     fr_kg(figures.co2e_process_g), fr_kg(figures.waste_avoided_g),
                     fr_kg(figures.to_recycling_g)])
    widths = [34 * mm, 24 * mm, 18 * mm, 25 * mm, 25 * mm, 26 * mm, 22 * mm]
    return st.table(data, widths, total=True)


def _first_page(report: MonthlyReport, st: Styles) -> list:
    """Headline figures, twelve-month chart, breakdowns by type and by site."""
    t = report.totals
    per_item = (f" soit {fr_int(round(t.co2e_avoided_g / t.containers_reused))} g {st.co2}e "
                "évités par contenant réemployé ;" if t.containers_reused else "")
    return [
        Paragraph("RAPPORT D'IMPACT MENSUEL", st.kicker),
        Paragraph(esc(report.month_label.capitalize()), st.title),
        Paragraph(f"{esc(report.network_name)} · {esc(report.scope)} · J'aime mes bouteilles "
                  "et Ju'Ramène Ta Boîte", st.small),
        Spacer(1, 7 * mm), _cards(report, st), Spacer(1, 3 * mm),
        Paragraph(f"{fr_int(t.inputs)} contenants lavés, {fr_int(t.containers_reused)} propres "
                  f"et {fr_int(t.containers_rejected)} écartés ;{per_item} "
                  f"{fr_kg(t.to_recycling_g)} kg de verre écarté envoyé au recyclage (non compté "
                  "comme réemploi).", st.body),
        Paragraph("Les douze derniers mois", st.h2), chart(report, st),
        Paragraph("Par type de contenant", st.h2), _breakdown(report.by_type, report, st, "Type"),
        CondPageBreak(45 * mm),
        Paragraph("Par site de lavage", st.h2), _breakdown(report.by_site, report, st, "Site"),
    ]


def _details(report: MonthlyReport, st: Styles) -> list:
    """Rejects by reason, the batches, the deposits."""
    story: list = [PageBreak()]
    if report.rejects:
        total = sum(r.count for r in report.rejects) or 1
        rows = [["Motif", "Nombre", "Part", "Masse (kg)"]]
        rows += [[r.label, fr_int(r.count), f"{fr_decimal(100 * r.count / total, 1)} %",
                  fr_kg(r.mass_g)] for r in report.rejects]
        story += [Paragraph("Contenants écartés, par motif", st.h2),
                  st.table(rows, [60 * mm, 25 * mm, 25 * mm, 30 * mm])]
    if report.by_batch:
        shown = report.by_batch[:MAX_BATCH_ROWS]
        rows = [["Lot", "Clôturé le", "Site", "Type", "Entrées", "Propres", "Écartés",
                 f"{st.co2}e évité (kg)"]]
        rows += [[b.code, f"{b.closed_at.astimezone(PARIS):%d/%m %H:%M}", b.site, b.type,
                  fr_int(b.figures.inputs), fr_int(b.figures.containers_reused),
                  fr_int(b.figures.containers_rejected), fr_kg(b.figures.co2e_avoided_g)]
                 for b in shown]
        widths = [24 * mm, 21 * mm, 28 * mm, 25 * mm, 17 * mm, 17 * mm, 18 * mm, 24 * mm]
        story += [Paragraph("Lots de lavage", st.h2), st.table(rows, widths, align="LLLLRRRR")]
        if len(report.by_batch) > len(shown):
            story.append(Paragraph(f"{len(shown)} lots sur {len(report.by_batch)} ; la liste "
                                   "complète est dans les exports CSV et XLSX.", st.small))
    if report.deposits is not None:
        dep = report.deposits
        rows = [["Consignes encaissées", "Remboursées", "Solde net du mois"],
                [fr_euros(c) for c in (dep.taken_cents, dep.refunded_cents, dep.held_cents)]]
        block = [Paragraph("Consignes", st.h2), st.table(rows, [45 * mm] * 3, align="RRR")]
        if dep.settlements:
            rows = [["De", "À", "Montant"]]
            rows += [[s.from_org, s.to_org, fr_euros(s.amount_cents)] for s in dep.settlements]
            block += [Spacer(1, 3 * mm), Paragraph("Compensations entre membres (boîtes prêtées "
                      "chez l'un et rendues chez l'autre) :", st.small), Spacer(1, 1.5 * mm),
                      st.table(rows, [70 * mm, 70 * mm, 34 * mm], align="LLR")]
        story.append(KeepTogether(block))
    return story


def _method(report: MonthlyReport, st: Styles) -> list:
    """The method in French and the factor table(s) with sources."""
    story: list = [PageBreak(), Paragraph("Méthode", st.h2)]
    story += [Paragraph(text, st.para) for text in METHOD_FR]
    for fs in report.factor_sets:
        rows: list[list] = [["Facteur", "Valeur", "Unité", "Source et note"]]
        rows += [[Paragraph(esc(f.key), st.cell), str(f.value).replace(".", ","),
                  Paragraph(esc(f.unit), st.cell), Paragraph(esc(f.source), st.cell)]
                 for f in fs.factors]
        table = st.table(rows, [26 * mm, 16 * mm, 40 * mm, 92 * mm], align="LRLL")
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Paragraph(f"Jeu de facteurs {esc(fs.code)} — {esc(fs.name)}", st.h2), table]
    return story


def _footer(report: MonthlyReport, st: Styles) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Draw the footer line and page number on every page."""
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(st.font, 7)
        canvas.setFillColor(MUTED)
        edited = report.generated_at.astimezone(PARIS)
        canvas.drawString(18 * mm, 10 * mm, f"{report.network_name} · rapport d'impact "
                          f"{report.month_label} · {report.scope} · édité le {edited:%d/%m/%Y}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()
    return draw


def render_pdf(report: MonthlyReport) -> bytes:
    """Render the report as an A4 PDF of two to four pages."""
    st = Styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=18 * mm, title=f"Rapport d'impact {report.month_label}",
        author=report.network_name, subject=report.scope, lang="fr-FR",
    )
    footer = _footer(report, st)
    story = _first_page(report, st) + _details(report, st) + _method(report, st)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
