"""Kind "monthly_report": from the 1st, to each coordination, the past month's impact
report as a PDF: a territory's coordination gets its territory's, the national one
the network's. Keyed by the month, it leaves once whatever day `flask notify` runs."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ....formatting import month_name
from ....models import Organisation, User
from ....models.notification import Notification, NotificationSetting
from ....reports import build_monthly_report, render
from ...periods import paris_today
from ...territories import scope_of
from ..due import Attachment, Due

KIND = "monthly_report"


def past_month(now: datetime) -> str:
    """The month before `now`'s, in Paris: "2026-11" on any day of December 2026."""
    today = paris_today(now)
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year}-{month:02d}"


def _waiting(session: Session, month: str) -> list[Organisation]:
    """The coordinations with a user who wants the report and has not had this month's:
    the PDF is built for them only, not again on every later day of the month."""
    unsent = ~exists().where(Notification.user_id == User.id, Notification.kind == KIND,
                             Notification.key == month)
    not_off = ~exists().where(NotificationSetting.user_id == User.id,
                              NotificationSetting.kind == KIND,
                              NotificationSetting.frequency == "off")
    return list(session.scalars(
        select(Organisation).where(Organisation.kind == "coordinator",
                                   Organisation.active.is_(True),
                                   exists().where(User.org_id == Organisation.id,
                                                  User.active.is_(True), unsent, not_off))
        .order_by(Organisation.id)))


def due(session: Session, now: datetime, since: datetime) -> list[Due]:
    """The past month's report for each coordination still waiting for it."""
    month = past_month(now)
    found = []
    for org in _waiting(session, month):
        scope = scope_of(org)
        report = build_monthly_report(session, month, scope=scope, network_name=(
            current_app.config.get("NETWORK_NAME", "Bouteilles")))
        who = f"-{scope.territory_code}" if scope.territory_code else ""
        pdf = Attachment(f"impact-{month}{who}.pdf", render(report, "pdf"), "application/pdf")
        totals = report.totals
        found.append(Due(org.id, {
            "month": month, "territory_name": scope.territory_name,
            "containers_reused": totals.containers_reused,
            "co2e_avoided_g": totals.co2e_avoided_g, "waste_avoided_g": totals.waste_avoided_g,
        }, key=month, attachments=(pdf,)))
    return found


def subject(context: dict) -> str:
    """"Rapport d'impact de novembre 2026 (Jura)"."""
    month = month_name(context["month"])
    if context.get("territory_name"):
        return gettext("Rapport d'impact de %(month)s (%(territory)s)", month=month,
                       territory=context["territory_name"])
    return gettext("Rapport d'impact de %(month)s", month=month)
