"""Notification "low_stock": to a member, the container types whose clean stock
is below the minimum it set (services/stock_thresholds.py)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext, ngettext
from sqlalchemy.orm import Session

from bouteilles.formatting import number
from bouteilles.services import stock_thresholds
from bouteilles.services.notifications.due import Due

# The page where each kind of member sees its stock and sets its alerts (the mail links it).
STOCK_PAGES = {"restaurant": "restaurant.overview", "winegrower": "winegrower.index"}


def due(session: Session, now: datetime, since: datetime) -> list[Due]:
    """One `Due` per member with at least one type below its minimum."""
    by_org: dict[int, list[dict]] = {}
    for row in stock_thresholds.below(session):
        by_org.setdefault(row.org_id, []).append({
            "type_name": row.type_name, "clean": row.clean, "minimum": row.minimum})
    return [Due(org_id, {"types": types, "count": len(types), "stock_pages": STOCK_PAGES})
            for org_id, types in by_org.items()]


def subject(context: dict) -> str:
    if context["count"] == 1:
        low = context["types"][0]
        return gettext("Stock propre bas : %(clean)s %(type)s (seuil %(minimum)s)",
                       clean=number(low["clean"]), type=gettext(low["type_name"]),
                       minimum=number(low["minimum"]))
    return ngettext("Stock propre bas : %(count)s type sous son seuil",
                    "Stock propre bas : %(count)s types sous leur seuil", context["count"],
                    count=number(context["count"]))
