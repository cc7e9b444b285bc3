"""The statement of an event tableware loan as a one-page PDF (reportlab), in the reader's
language (French outside a request)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape as esc

from flask_babel import gettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ..formatting import money, number, paris_date, paris_time
from ..i18n import N_
from ..models import Loan
from ..services.loans import loan_totals
from .pdf_style import Styles

STATUS = {"open": N_("en cours"), "closed": N_("clôturé")}


def loan_statement_pdf(loan: Loan) -> bytes:
    """Who lent what to whom, what came back, and the bill for what did not."""
    st = Styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm,
                            title=gettext("Prêt n° %(id)s – %(event)s", id=loan.id,
                                          event=loan.event_name),
                            author="Bouteilles – Ju'Ramène Ta Boîte")
    story = [
        Paragraph(gettext("RELEVÉ DE PRÊT DE VAISSELLE"), st.kicker),
        Paragraph(gettext("Prêt n° %(id)s – %(event)s", id=loan.id,
                          event=esc(loan.event_name)), st.title),
        Spacer(1, 4 * mm),
        Paragraph(gettext("<b>Prêteur :</b> %(name)s", name=esc(loan.lender.name))
                  + (f" – {esc(loan.lender.address)}" if loan.lender.address else ""), st.para),
        Paragraph(gettext("<b>Emprunteur :</b> %(name)s", name=esc(loan.borrower.name))
                  + (f" – {esc(loan.borrower.address)}" if loan.borrower.address else ""),
                  st.para),
        Paragraph(gettext("<b>Prêté le :</b> %(at)s", at=paris_time(loan.lent_at))
                  + (gettext(" · <b>événement le :</b> %(day)s", day=paris_date(loan.event_date))
                     if loan.event_date else "")
                  + gettext(" · <b>état :</b> %(status)s", status=gettext(STATUS[loan.status])),
                  st.para),
    ]
    if loan.closed_at:
        story.append(Paragraph(gettext("<b>Clôturé le :</b> %(at)s", at=paris_time(loan.closed_at)),
                               st.para))
    rows = [[gettext("Article"), gettext("Prêtés"), gettext("Rendus"), gettext("Cassés"),
             gettext("Manquants"), gettext("Non comptés"), gettext("Consigne"), gettext("Facturé")]]
    for line in loan.lines:
        rows.append([Paragraph(esc(line.type.name), st.cell), number(line.lent),
                     number(line.returned), number(line.broken), number(line.missing),
                     number(line.unaccounted), money(line.deposit_cents),
                     money(line.billed_cents)])
    t = loan_totals(loan)
    rows.append([gettext("Total"), number(t["lent"]), number(t["returned"]),
                 number(t["broken"]), number(t["missing"]), number(t["unaccounted"]),
                 "", money(t["billed_cents"])])
    story += [Spacer(1, 4 * mm),
              st.table(rows, [52 * mm, 15 * mm, 15 * mm, 15 * mm, 18 * mm, 18 * mm, 17 * mm,
                              19 * mm], total=True),
              Spacer(1, 5 * mm),
              Paragraph(gettext("<b>Montant dû par l'emprunteur : %(amount)s</b>",
                                amount=money(t["billed_cents"])), st.h2),
              Paragraph(gettext("Les articles cassés ou manquants sont facturés au montant de la "
                                "consigne de leur type au jour du prêt."), st.small)]
    if loan.status == "open":
        story.append(Paragraph(gettext("Relevé provisoire : le prêt n'est pas encore clôturé."),
                               st.small))
    if loan.note:
        story += [Spacer(1, 3 * mm),
                  Paragraph(gettext("Note : %(note)s", note=esc(loan.note)), st.small)]
    doc.build(story)
    return buffer.getvalue()
