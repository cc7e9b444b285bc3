"""A member's monthly statement as a PDF (reportlab): deposits taken and refunded,
settlements netted with their paid state, tableware loans billed, and what is owed
either way; in the reader's language (French outside a request), under the report
issuer's header like the impact report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape as esc

from flask import current_app, has_app_context
from flask_babel import gettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy.orm import Session

from ..formatting import money, month_name, paris_date
from ..services.impact.issuer import get_issuer
from ..services.settlements import METHOD_LABELS, Line, Statement, paid_day
from .model import Issuer
from .pdf_report import _issuer_header
from .pdf_style import Styles


@dataclass(frozen=True)
class _Heading:
    """What the impact report's issuer header reads."""

    issuer: Issuer | None
    issuer_name: str


def _heading(session: Session) -> _Heading:
    row = get_issuer(session)
    network = current_app.config.get("NETWORK_NAME", "Bouteilles") if has_app_context() \
        else "Bouteilles"
    if row is None:
        return _Heading(None, network)
    return _Heading(Issuer(row.name, row.address, row.siret, row.logo, row.logo_type), row.name)


def _paid(line: Line) -> str:
    """The paid state in words: unpaid, paid (how, when), paid with some left."""
    if line.payment is None:
        return gettext("à payer") if line.amount_cents else ""
    said = gettext("payé %(amount)s le %(day)s (%(method)s)", amount=money(line.paid_cents),
                   day=paris_date(paid_day(line.payment)),
                   method=gettext(METHOD_LABELS[line.payment.method]))
    if line.remaining_cents > 0:
        said += gettext(", reste %(amount)s", amount=money(line.remaining_cents))
    elif line.remaining_cents < 0:
        said += gettext(", trop-perçu %(amount)s", amount=money(-line.remaining_cents))
    return said


def _deposits(st: Statement, styles: Styles) -> list:
    rows = [[gettext("Consignes encaissées"), gettext("Remboursées"),
             gettext("Perdues (nettes)"), gettext("Solde net du mois")],
            [money(c) for c in (st.taken_cents, st.refunded_cents, st.forfeited_cents,
                                st.held_cents)]]
    return [Paragraph(gettext("Consignes"), styles.h2),
            styles.table(rows, [42 * mm] * 4, align="RRRR"), Spacer(1, 1.5 * mm),
            Paragraph(gettext("Consignes encaissées auprès des clients et remboursées à leur "
                              "retour ; perdues : boîtes déclarées perdues, moins celles "
                              "retrouvées."), styles.small)]


def _settlements(st: Statement, styles: Styles) -> list:
    story = [Paragraph(gettext("Règlements entre membres"), styles.h2)]
    if not st.lines:
        return [*story, Paragraph(gettext("Aucun règlement ce mois-ci."), styles.para)]
    me = st.org.code
    rows = [[gettext("Doit"), gettext("À"), gettext("Dans ce sens"), gettext("En retour"),
             gettext("Net"), gettext("État")]]
    for line in st.lines:
        rows.append([Paragraph(esc(gettext("Vous") if line.payer_code == me
                                   else line.payer_name), styles.cell),
                     Paragraph(esc(gettext("Vous") if line.payee_code == me
                                   else line.payee_name), styles.cell),
                     money(line.from_to_cents), money(line.to_from_cents),
                     money(line.amount_cents), Paragraph(esc(_paid(line)), styles.cell)])
    return [*story, styles.table(rows, [36 * mm, 36 * mm, 21 * mm, 21 * mm, 20 * mm, 35 * mm],
                                 align="LLRRRL"), Spacer(1, 1.5 * mm),
            Paragraph(gettext("Une boîte prêtée chez l'un et rendue chez l'autre : le membre qui "
                              "a encaissé la consigne la doit à celui qui l'a remboursée. Par "
                              "paire de membres, celui qui doit le plus paie la différence."),
                      styles.small)]


def _loans(st: Statement, styles: Styles) -> list:
    story = [Paragraph(gettext("Prêts de vaisselle facturés"), styles.h2)]
    if not st.loans:
        return [*story, Paragraph(gettext("Aucun prêt facturé ce mois-ci."), styles.para)]
    rows = [[gettext("Prêt"), gettext("Prêteur"), gettext("Emprunteur"), gettext("Clôturé le"),
             gettext("Facturé")]]
    for loan in st.loans:
        rows.append([Paragraph(esc(gettext("n° %(id)s – %(event)s", id=loan.id,
                                           event=loan.event_name)), styles.cell),
                     Paragraph(esc(loan.lender_name), styles.cell),
                     Paragraph(esc(loan.borrower_name), styles.cell),
                     paris_date(loan.closed_at), money(loan.billed_cents)])
    return [*story, styles.table(rows, [50 * mm, 35 * mm, 35 * mm, 24 * mm, 25 * mm])]


def _bottom_line(st: Statement, styles: Styles) -> list:
    rows = [[gettext("On vous doit"), gettext("Vous devez"), gettext("Solde")],
            [money(st.owed_to_cents), money(st.owed_by_cents), money(st.balance_cents)]]
    if st.balance_cents > 0:
        verdict = gettext("Solde en votre faveur : %(amount)s.", amount=money(st.balance_cents))
    elif st.balance_cents < 0:
        verdict = gettext("Vous devez au total : %(amount)s.", amount=money(-st.balance_cents))
    else:
        verdict = gettext("Rien n'est dû dans un sens ni dans l'autre.")
    return [Paragraph(gettext("Ce qui reste dû"), styles.h2),
            styles.table(rows, [56 * mm] * 3, align="RRR"), Spacer(1, 2 * mm),
            Paragraph(f"<b>{esc(verdict)}</b>", styles.para),
            Paragraph(gettext("Règlements restant à payer (après les paiements marqués) et "
                              "prêts de vaisselle facturés ; les consignes des clients n'en "
                              "font pas partie."), styles.small)]


def statement_pdf(session: Session, st: Statement) -> bytes:
    """The statement of `st.org` for `st.month`, one or two A4 pages."""
    styles = Styles()
    buffer = io.BytesIO()
    title = gettext("Relevé de %(month)s – %(name)s", month=month_name(st.month),
                    name=st.org.name)
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, title=title,
                            author="Bouteilles – Ju'Ramène Ta Boîte")
    story = [*_issuer_header(_heading(session), styles),
             Paragraph(gettext("RELEVÉ MENSUEL DU MEMBRE"), styles.kicker),
             Paragraph(esc(title), styles.title)]
    if st.org.address:
        story += [Spacer(1, 1.5 * mm), Paragraph(esc(st.org.address), styles.small)]
    if st.in_progress:
        story.append(Paragraph(gettext("Mois en cours : relevé provisoire, les montants peuvent "
                                       "encore changer."), styles.small))
    story += [Spacer(1, 3 * mm), *_deposits(st, styles), *_settlements(st, styles),
              *_loans(st, styles), *_bottom_line(st, styles)]
    doc.build(story)
    return buffer.getvalue()
