"""Notification "lost": to the member that lent them, the boxes declared lost in
the period (automatically after LOST_DAYS, or by the coordination), their
lend dates and the deposits forfeited; a box brought back later is
reinstated and refunded as usual."""

from __future__ import annotations

from datetime import datetime

from flask_babel import ngettext
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from bouteilles.formatting import number
from bouteilles.models import ContainerType, DepositEntry, Event
from bouteilles.services.notifications.due import Due

_lend = aliased(Event)


def due(session: Session, now: datetime, since: datetime) -> list[Due]:
    """One `Due` per member whose boxes were declared lost between `since` and `now`."""
    lent_at = (select(func.max(_lend.occurred_at))
               .where(_lend.container_id == Event.container_id, _lend.action == "lend",
                      _lend.occurred_at <= Event.occurred_at)
               .scalar_subquery())
    rows = session.execute(
        select(Event.from_holder_id, Event.code, Event.occurred_at, Event.detail,
               ContainerType.name, lent_at.label("lent_at"),
               func.coalesce(DepositEntry.amount_cents, 0))
        .join(ContainerType, ContainerType.id == Event.type_id)
        .outerjoin(DepositEntry, and_(DepositEntry.event_id == Event.id,
                                      DepositEntry.kind == "forfeited"))
        .where(Event.action == "lose", Event.container_id.is_not(None),
               Event.recorded_at >= since, Event.recorded_at <= now)
        .order_by(Event.from_holder_id, Event.occurred_at, Event.code))
    by_org: dict[int, list[dict]] = {}
    for org_id, code, declared_at, detail, type_name, lent, cents in rows:
        by_org.setdefault(org_id, []).append({
            "code": code, "type_name": type_name, "lent_at": lent, "declared_at": declared_at,
            "deposit_cents": int(cents), "automatic": bool((detail or {}).get("automatic"))})
    return [Due(org_id, {"boxes": boxes, "count": len(boxes),
                         "forfeited_cents": sum(box["deposit_cents"] for box in boxes)})
            for org_id, boxes in by_org.items()]


def subject(context: dict) -> str:
    return ngettext("%(count)s boîte déclarée perdue : consigne conservée",
                    "%(count)s boîtes déclarées perdues : consigne conservée",
                    context["count"], count=number(context["count"]))
