"""The monthly impact report as a PDF (reportlab): figures, chart, breakdowns, method; in
the reader's language (French outside a request)."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from xml.sax.saxutils import escape as esc

from flask_babel import gettext, ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..formatting import kilograms, mass, money, number, paris_date, paris_time, percent
from ..i18n import get_locale
from .model import METHOD, BreakdownRow, MonthlyReport
from .pdf_funders import funders_section, in_progress_banner
from .pdf_style import CONTENT_WIDTH, MUTED, PALE, Styles, chart

MAX_BATCH_ROWS = 30
LOGO_BOX = (40 * mm, 18 * mm)  # the logo fits in this box, its proportions kept


def _cards(report: MonthlyReport, st: Styles) -> Table:
    """Four headline figures in cards."""
    t = report.totals
    cards = []
    headline = ((t.co2e_avoided_g, gettext("%(co2)se évité", co2=st.co2)),
                (t.waste_avoided_g, gettext("déchets évités")),
                (t.co2e_process_g, gettext("%(co2)se du procédé", co2=st.co2)))
    for grams, what in headline:
        cards.append([Paragraph(mass(grams), st.big), Paragraph(what, st.card),
                      Paragraph(gettext("soit %(grams)s g", grams=number(grams)), st.note)])
    reused = [Paragraph(number(t.containers_reused), st.big),
              Paragraph(gettext("contenants réemployés"), st.card),
              Paragraph(ngettext("%(count)s lot de lavage", "%(count)s lots de lavage",
                                 t.batches, count=number(t.batches)), st.note)]
    cards.insert(0, reused)
    table = Table([cards], colWidths=[CONTENT_WIDTH / 4] * 4)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), PALE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBEFORE", (1, 0), (-1, -1), 2, colors.white),
        ("TOPPADDING", (0, 0), (-1, -1), 9), ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
    ]))
    return table


def _breakdown(rows: list[BreakdownRow], report: MonthlyReport, st: Styles, what: str) -> Table:
    """A breakdown table (by type or by site) in kilograms to 100 g, with a total row."""
    data: list[list] = [[what, gettext("Réemployés"), gettext("Écartés"),
                         gettext("%(co2)se évité (kg)", co2=st.co2),
                         gettext("%(co2)se procédé (kg)", co2=st.co2),
                         gettext("Déchets évités (kg)"), gettext("Recyclage (kg)")]]
    total = [(gettext("Total"), report.totals)]
    for key, figures in [(r.label or r.key, r.figures) for r in rows] + total:
        data.append([Paragraph(esc(key), st.cell), number(figures.containers_reused),
                     number(figures.containers_rejected),
                     *(kilograms(g) for g in (
                         figures.co2e_avoided_g, figures.co2e_process_g,
                         figures.waste_avoided_g, figures.to_recycling_g))])
    widths = [34 * mm, 24 * mm, 18 * mm, 25 * mm, 25 * mm, 26 * mm, 22 * mm]
    return st.table(data, widths, total=True)


def _issuer_header(report: MonthlyReport, st: Styles) -> list:
    """Who issues the report: its logo, name, address and SIRET, above the title."""
    issuer = report.issuer
    lines = [Paragraph(f"<b>{esc(report.issuer_name)}</b>", st.body)]
    if issuer and issuer.address:
        lines.append(Paragraph(esc(issuer.address).replace("\n", "<br/>"), st.small))
    if issuer and issuer.siret:
        lines.append(Paragraph(esc(issuer.siret_label), st.small))
    cells: list = [lines]
    widths = [CONTENT_WIDTH]
    if issuer and issuer.logo:
        logo = Image(io.BytesIO(issuer.logo), *LOGO_BOX, kind="proportional", hAlign="RIGHT")
        cells, widths = [lines, logo], [CONTENT_WIDTH - LOGO_BOX[0], LOGO_BOX[0]]
    table = Table([cells], colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("ALIGN", (-1, 0), (-1, 0), "RIGHT"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.6, PALE),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return [table, Spacer(1, 4 * mm)]


def _first_page(report: MonthlyReport, st: Styles) -> list:
    """Headline figures, twelve-month chart, breakdowns by type and by site."""
    t = report.totals
    per_item = gettext(
        " soit %(grams)s g %(co2)se évités par contenant réemployé ;",
        grams=number(Decimal(t.co2e_avoided_g) / t.containers_reused, 0), co2=st.co2,
    ) if t.containers_reused else ""
    return [
        *_issuer_header(report, st),
        Paragraph(gettext("RAPPORT D'IMPACT MENSUEL"), st.kicker),
        Paragraph(esc(report.heading), st.title),
        Paragraph(f"{esc(report.scope)} · J'aime mes bouteilles et Ju'Ramène Ta Boîte",
                  st.small),
        *in_progress_banner(report, st),
        Spacer(1, 5 * mm), _cards(report, st), Spacer(1, 3 * mm),
        Paragraph(gettext(
            "%(inputs)s contenants lavés, %(clean)s propres et %(rejected)s écartés ;"
            "%(per_item)s %(glass)s de verre écarté envoyé au recyclage (non compté comme "
            "réemploi).", inputs=number(t.inputs), clean=number(t.containers_reused),
            rejected=number(t.containers_rejected), per_item=per_item,
            glass=mass(t.to_recycling_g)), st.body),
        Paragraph(gettext("Les douze derniers mois"), st.h2), chart(report, st),
        Paragraph(gettext("Par type de contenant"), st.h2),
        _breakdown(report.by_type, report, st, gettext("Type")),
        CondPageBreak(45 * mm),
        Paragraph(gettext("Par site de lavage"), st.h2),
        _breakdown(report.by_site, report, st, gettext("Site")),
    ]


def _details(report: MonthlyReport, st: Styles) -> list:
    """Rejects by reason, the batches, the deposits."""
    story: list = [PageBreak(), *funders_section(report, st)]
    if report.rejects:
        total = sum(r.count for r in report.rejects) or 1
        rows = [[gettext("Motif"), gettext("Nombre"), gettext("Part"), gettext("Masse (kg)")]]
        rows += [[gettext(r.label), number(r.count), percent(Decimal(r.count) / total),
                  kilograms(r.mass_g)] for r in report.rejects]
        story += [Paragraph(gettext("Contenants écartés, par motif"), st.h2),
                  st.table(rows, [60 * mm, 25 * mm, 25 * mm, 30 * mm])]
    if report.by_batch:
        shown = report.by_batch[:MAX_BATCH_ROWS]
        rows = [[gettext("Lot"), gettext("Clôturé le"), gettext("Site"), gettext("Type"),
                 gettext("Entrées"), gettext("Propres"), gettext("Écartés"),
                 gettext("%(co2)se évité (kg)", co2=st.co2)]]
        rows += [[b.code, paris_time(b.closed_at, year=False),
                  Paragraph(esc(b.site_name or b.site), st.cell),
                  Paragraph(esc(b.type_name or b.type), st.cell),
                  number(b.figures.inputs), number(b.figures.containers_reused),
                  number(b.figures.containers_rejected),
                  kilograms(b.figures.co2e_avoided_g)]
                 for b in shown]
        widths = [24 * mm, 21 * mm, 28 * mm, 25 * mm, 17 * mm, 17 * mm, 18 * mm, 24 * mm]
        story += [Paragraph(gettext("Lots de lavage"), st.h2),
                  st.table(rows, widths, align="LLLLRRRR")]
        if len(report.by_batch) > len(shown):
            story.append(Paragraph(gettext(
                "%(shown)s lots sur %(total)s ; la liste complète est dans les exports CSV et "
                "XLSX.", shown=len(shown), total=len(report.by_batch)), st.small))
    if report.adjustments:
        story += _adjustments(report, st)
    if report.deposits is not None:
        dep = report.deposits
        rows = [[gettext("Consignes encaissées"), gettext("Remboursées"),
                 gettext("Solde net du mois")],
                [money(c) for c in (dep.taken_cents, dep.refunded_cents, dep.held_cents)]]
        block = [Paragraph(gettext("Consignes"), st.h2),
                 st.table(rows, [45 * mm] * 3, align="RRR")]
        if dep.settlements:
            rows = [[gettext("De"), gettext("À"), gettext("Montant")]]
            rows += [[Paragraph(esc(s.from_name or s.from_org), st.cell),
                      Paragraph(esc(s.to_name or s.to_org), st.cell),
                      money(s.amount_cents)] for s in dep.settlements]
            block += [Spacer(1, 3 * mm), Paragraph(gettext(
                          "Règlements entre membres, nets par paire (boîtes prêtées chez l'un "
                          "et rendues chez l'autre ; celui qui doit le plus paie la "
                          "différence) :"), st.small), Spacer(1, 1.5 * mm),
                      st.table(rows, [70 * mm, 70 * mm, 34 * mm], align="LLR")]
        story.append(KeepTogether(block))
    return story


def _signed(text: str, value: int) -> str:
    return f"+{text}" if value > 0 else text


def _adjustments(report: MonthlyReport, st: Styles) -> list:
    """The corrections made this month of batches closed earlier: one line each."""
    rows = [[gettext("Lot (mois)"), gettext("Corrigé le"), gettext("Réemployés"),
             gettext("Écartés"), gettext("%(co2)se évité (kg)", co2=st.co2),
             gettext("Déchets évités (kg)"), gettext("Motif")]]
    for a in report.adjustments:
        f = a.figures
        rows.append([
            Paragraph(f"{esc(a.batch)} ({esc(a.batch_month_label)})", st.cell),
            paris_time(a.corrected_at, year=False),
            _signed(number(f.containers_reused), f.containers_reused),
            _signed(number(f.containers_rejected), f.containers_rejected),
            _signed(kilograms(f.co2e_avoided_g), f.co2e_avoided_g),
            _signed(kilograms(f.waste_avoided_g), f.waste_avoided_g),
            Paragraph(esc(a.reason), st.cell)])
    widths = [36 * mm, 19 * mm, 23 * mm, 17 * mm, 21 * mm, 21 * mm, 37 * mm]
    return [Paragraph(gettext("Corrections de lots (ajustements du mois)"), st.h2),
            Paragraph(gettext(
                "Un mois clos ne change plus : ces corrections de lots déjà clôturés comptent "
                "dans ce mois-ci, et sont dans ses totaux."), st.small),
            Spacer(1, 1.5 * mm), st.table(rows, widths, align="LLRRRRL")]


def _method(report: MonthlyReport, st: Styles) -> list:
    """The method and the factor table(s) with sources."""
    story: list = [PageBreak(), Paragraph(gettext("Méthode"), st.h2)]
    story += [Paragraph(gettext(text), st.para) for text in METHOD]
    story += _loops(report, st)
    for fs in report.factor_sets:
        rows: list[list] = [[gettext("Facteur"), gettext("Valeur"), gettext("Plage"),
                             gettext("Unité"), gettext("Source et note")]]
        rows += [[Paragraph(esc(f.key), st.cell), number(f.value),
                  Paragraph(gettext("%(low)s à %(high)s", low=number(f.low),
                                    high=number(f.high)) if f.low is not None
                            and f.high is not None else "—", st.cell),
                  Paragraph(esc(f.unit), st.cell), Paragraph(esc(f.source), st.cell)]
                 for f in fs.factors]
        table = st.table(rows, [27 * mm, 15 * mm, 22 * mm, 28 * mm, 82 * mm], align="LRLLL")
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [CondPageBreak(90 * mm),
                  Paragraph(gettext("Jeu de facteurs %(code)s — %(name)s", code=esc(fs.code),
                                    name=esc(fs.name)), st.h2), table]
    return story


def _loops(report: MonthlyReport, st: Styles, shown: int = 5) -> list:
    """The month's loops past the network's limit (the longest few), or that none is."""
    check = report.loops
    if check is None:
        return []
    limit = number(round(check.limit_km))
    if not check.long:
        return [Paragraph(gettext("<b>Distances des boucles</b> : aucune boucle du mois ne "
                                  "dépasse %(limit)s km.", limit=limit), st.para)]
    lines = "; ".join(gettext("%(origin)s → %(site)s → %(destination)s, %(km)s km (%(how)s)",
                              origin=esc(loop.origin or "—"), site=esc(loop.site),
                              destination=esc(loop.destination or "—"),
                              km=number(round(loop.km)),
                              how=gettext("par la route") if loop.by_road
                              else gettext("estimée"))
                      + (gettext(", au-delà du seuil de rentabilité du réemploi")
                         if loop.past_break_even else "")
                      for loop in check.long[:shown])
    more = check.over_limit - shown
    return [Paragraph(ngettext(
        "<b>Distances des boucles</b> : %(num)s boucle du mois dépasse %(limit)s km, la "
        "limite du réseau (au-delà de %(even)s km, le réemploi du verre ne fait plus mieux "
        "que le jetable selon l'ADEME) : %(lines)s.",
        "<b>Distances des boucles</b> : %(num)s boucles du mois dépassent %(limit)s km, la "
        "limite du réseau (au-delà de %(even)s km, le réemploi du verre ne fait plus mieux "
        "que le jetable selon l'ADEME) : %(lines)s.", check.over_limit, limit=limit,
        even=number(round(check.break_even_km)), lines=lines)
        + (" " + ngettext("Et %(num)s autre.", "Et %(num)s autres.", more) if more > 0 else ""),
        st.para)]


def _footer(report: MonthlyReport, st: Styles) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Draw the footer line and page number on every page."""
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(st.font, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, gettext(
            "%(network)s · rapport d'impact %(month)s · %(scope)s · édité le %(day)s",
            network=report.issuer_name, month=report.period_label, scope=report.scope,
            day=paris_date(report.generated_at)))
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, gettext("page %(n)s", n=doc.page))
        canvas.restoreState()
    return draw


def render_pdf(report: MonthlyReport) -> bytes:
    """Render the report as an A4 PDF of two to four pages."""
    st = Styles()
    out = io.BytesIO()
    # invariant: no creation date nor random document id, so a report regenerated with
    # the same figures and the same `generated_at` is the same bytes.
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=18 * mm, title=report.title,
        author=report.issuer_name, creator=report.issuer_name, subject=report.scope,
        lang=get_locale(), invariant=1,
    )
    footer = _footer(report, st)
    story = _first_page(report, st) + _details(report, st) + _method(report, st)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
