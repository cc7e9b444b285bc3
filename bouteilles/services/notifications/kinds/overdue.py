"""Kind "overdue": each morning, to a restaurant or an event organiser, the boxes its
customers have kept longer than `OVERDUE_DAYS` (codes, lend dates, deposits)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ....formatting import number
from ....models import Container, ContainerType
from ...pages.restaurant import overdue_cutoff
from ..due import Due


def due(session: Session, now: datetime, since: datetime) -> list[Due]:
    """One `Due` per member holding overdue boxes, its boxes oldest first (what is late
    at `now`: `since` is not read)."""
    days = current_app.config["OVERDUE_DAYS"]
    rows = session.execute(
        select(Container.holder_id, Container.code, ContainerType.name, Container.lent_at,
               Container.deposit_held_cents)
        .join(ContainerType, ContainerType.id == Container.type_id)
        .where(Container.state == "in_use", Container.lent_at < overdue_cutoff(days, now))
        .order_by(Container.holder_id, Container.lent_at, Container.id)).all()
    boxes: dict[int, list[dict]] = {}
    for holder_id, code, type_name, lent_at, deposit in rows:
        boxes.setdefault(holder_id, []).append(
            {"code": code, "type_name": type_name, "lent_at": lent_at, "deposit_cents": deposit})
    return [Due(org_id, {"boxes": listed, "days": days,
                         "total_cents": sum(box["deposit_cents"] for box in listed)})
            for org_id, listed in boxes.items()]


def subject(context: dict) -> str:
    """"3 boîtes en retard chez les clients (plus de 14 jours)"."""
    count = len(context["boxes"])
    return ngettext("%(count)s boîte en retard chez les clients (plus de %(days)s jours)",
                    "%(count)s boîtes en retard chez les clients (plus de %(days)s jours)",
                    count, count=number(count), days=context["days"])
