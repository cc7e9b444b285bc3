"""The statement of an event tableware loan as a one-page PDF in French (reportlab)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape as esc
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ..models import Loan
from ..services.loans import loan_totals
from .model import fr_euros, fr_int
from .pdf_style import Styles

PARIS = ZoneInfo("Europe/Paris")
STATUS_FR = {"open": "en cours", "closed": "clôturé"}


def loan_statement_pdf(loan: Loan) -> bytes:
    """Who lent what to whom, what came back, and the bill for what did not."""
    st = Styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm,
                            title=f"Prêt n° {loan.id} – {loan.event_name}",
                            author="Bouteilles – Ju'Ramène Ta Boîte")
    when = loan.lent_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    story = [
        Paragraph("RELEVÉ DE PRÊT DE VAISSELLE", st.kicker),
        Paragraph(f"Prêt n° {loan.id} – {esc(loan.event_name)}", st.title),
        Spacer(1, 4 * mm),
        Paragraph(f"<b>Prêteur :</b> {esc(loan.lender.name)}"
                  + (f" – {esc(loan.lender.address)}" if loan.lender.address else ""), st.para),
        Paragraph(f"<b>Emprunteur :</b> {esc(loan.borrower.name)}"
                  + (f" – {esc(loan.borrower.address)}" if loan.borrower.address else ""),
                  st.para),
        Paragraph(f"<b>Prêté le :</b> {when}"
                  + (f" · <b>événement le :</b> {loan.event_date.strftime('%d/%m/%Y')}"
                     if loan.event_date else "")
                  + f" · <b>état :</b> {STATUS_FR[loan.status]}", st.para),
    ]
    if loan.closed_at:
        closed = loan.closed_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
        story.append(Paragraph(f"<b>Clôturé le :</b> {closed}", st.para))
    rows = [["Article", "Prêtés", "Rendus", "Cassés", "Manquants", "Non comptés",
             "Consigne", "Facturé"]]
    for line in loan.lines:
        rows.append([Paragraph(esc(line.type.name), st.cell), fr_int(line.lent),
                     fr_int(line.returned), fr_int(line.broken), fr_int(line.missing),
                     fr_int(line.unaccounted), fr_euros(line.deposit_cents),
                     fr_euros(line.billed_cents)])
    t = loan_totals(loan)
    rows.append(["Total", fr_int(t["lent"]), fr_int(t["returned"]), fr_int(t["broken"]),
                 fr_int(t["missing"]), fr_int(t["unaccounted"]), "",
                 fr_euros(t["billed_cents"])])
    story += [Spacer(1, 4 * mm),
              st.table(rows, [52 * mm, 15 * mm, 15 * mm, 15 * mm, 18 * mm, 18 * mm, 17 * mm,
                              19 * mm], total=True),
              Spacer(1, 5 * mm),
              Paragraph(f"<b>Montant dû par l'emprunteur : {fr_euros(t['billed_cents'])}</b>",
                        st.h2),
              Paragraph("Les articles cassés ou manquants sont facturés au montant de la "
                        "consigne de leur type au jour du prêt.", st.small)]
    if loan.status == "open":
        story.append(Paragraph("Relevé provisoire : le prêt n'est pas encore clôturé.",
                               st.small))
    if loan.note:
        story += [Spacer(1, 3 * mm), Paragraph(f"Note : {esc(loan.note)}", st.small)]
    doc.build(story)
    return buffer.getvalue()
