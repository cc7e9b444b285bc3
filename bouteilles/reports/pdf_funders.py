"""The PDF report's parts for funders: the month in progress, circulation, the range of
the figures, hours and jobs."""

from __future__ import annotations

from flask_babel import gettext, ngettext
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from ..formatting import mass, money, number, paris_date, percent
from .model import MonthlyReport
from .pdf_style import CONTENT_WIDTH, PALE, Styles

AMBER, AMBER_PALE = colors.HexColor("#8A5A00"), colors.HexColor("#FFF4DB")
def in_progress_banner(report: MonthlyReport, st: Styles) -> list:
    """A framed line saying the month is not over and its figures will still grow."""
    if not report.in_progress or report.through is None:
        return []
    period = report.period_label
    text = gettext("%(period)s : chiffres provisoires, arrêtés au %(day)s (heure de Paris). "
                   "Ils seront complets une fois le mois terminé.",
                   period=period[:1].upper() + period[1:], day=paris_date(report.through, "long"))
    box = Table([[Paragraph(f"<b>{text}</b>", st.body)]], colWidths=[CONTENT_WIDTH])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), AMBER_PALE),
                             ("BOX", (0, 0), (-1, -1), 0.8, AMBER),
                             ("TOPPADDING", (0, 0), (-1, -1), 5),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return [Spacer(1, 3 * mm), box]


def _rows(report: MonthlyReport, st: Styles) -> list[list]:
    """Indicator, value, how it is obtained."""
    rows: list[list] = []
    c = report.circulation
    if c is not None:
        rows += [
            [gettext("Prêts (contenants remis avec consigne)"), number(c.lends), ""],
            [gettext("Retours"), number(c.returns), ""],
            [gettext("Taux de retour"), percent(c.return_rate),
             gettext("retours ÷ prêts du mois")],
            [gettext("Contenants déclarés perdus"), number(c.lost), ""],
            [gettext("Taux de perte"), percent(c.loss_rate),
             gettext("pertes ÷ prêts du mois")],
        ]
        if c.reuses_per_container is not None:
            rows.append([gettext("Réemplois moyens par contenant"),
                         number(c.reuses_per_container, 2),
                         gettext("contenants propres sortis des lots depuis le début ÷ "
                                 "contenants mis en service, à la fin du mois")])
        rows.append([gettext("Consignes détenues en fin de mois"),
                     money(c.deposits_held_cents), ""])
    sens = report.sensitivity
    if sens is not None:
        rows += [
            [gettext("%(co2)se évité, fourchette", co2=st.co2),
             gettext("%(low)s à %(high)s", low=mass(sens.co2e_avoided_low_g),
                     high=mass(sens.co2e_avoided_high_g)),
             gettext("chaque facteur à l'extrémité basse puis haute de sa plage (méthode, "
                     "page des facteurs)")],
            [gettext("Déchets évités, fourchette"),
             gettext("%(low)s à %(high)s", low=mass(sens.waste_avoided_low_g),
                     high=mass(sens.waste_avoided_high_g)), ""],
        ]
    w = report.work
    if w.batches:
        rows += [
            [gettext("Heures de travail aux lots"), number(w.hours_worked, 1),
             ngettext("sur %(count)s lot qui les a saisies",
                      "sur %(count)s lots qui les ont saisies", w.batches,
                      count=number(w.batches))],
            [gettext("dont personnes en insertion"), number(w.insertion_hours, 1), ""],
            [gettext("Équivalents temps plein du mois"), number(w.fte, 2),
             gettext("heures ÷ (%(hours)s h ÷ 12) ; %(hours)s h : durée légale annuelle du "
                     "travail en France", hours=number(w.annual_hours))],
            [gettext("Emplois par million de contenants réemployés"),
             number(w.jobs_per_million, 2) if w.jobs_per_million is not None else "—",
             gettext("(heures ÷ %(hours)s h) ÷ millions de contenants propres de ces lots ; "
                     "estimation du pilote : %(low)s à %(high)s emplois par million de "
                     "bouteilles", hours=number(w.annual_hours), low=w.estimate_low,
                     high=w.estimate_high)],
        ]
    else:
        rows.append([gettext("Emplois"), "—", gettext(
            "aucun lot du mois n'a saisi ses heures ; estimation du pilote : %(low)s à "
            "%(high)s emplois par million de bouteilles réemployées", low=w.estimate_low,
            high=w.estimate_high)])
    return rows


def funders_section(report: MonthlyReport, st: Styles) -> list:
    """Circulation, the range of the figures, hours and jobs: one table."""
    rows = [[gettext("Indicateur"), gettext("Valeur"), gettext("Calcul")]]
    rows += [[Paragraph(label, st.cell), value, Paragraph(how, st.cell)]
             for label, value, how in _rows(report, st)]
    table = st.table(rows, [58 * mm, 36 * mm, 75 * mm], align="LRL")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PALE])]))
    return [Paragraph(gettext("Circulation, fourchette et emplois"), st.h2), table]


