"""Notification "orders": to each washing site, the open orders it was asked to
fulfil (winegrowers' bottles, restaurants' boxes): who, what, how many are
still to deliver, since when."""

from __future__ import annotations

from datetime import datetime

from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from bouteilles.formatting import number
from bouteilles.models import BottleModel, BottleRequest, ContainerType, Organisation
from bouteilles.services.notifications.due import Due


def due(session: Session, now: datetime, since: datetime) -> list[Due]:
    """One `Due` per washing site with open orders, oldest first."""
    remaining = BottleRequest.quantity - BottleRequest.delivered
    rows = session.execute(
        select(BottleRequest.site_id, Organisation.name, ContainerType.name, remaining,
               BottleRequest.created_at, BottleRequest.note, BottleModel.name)
        .join(Organisation, Organisation.id == BottleRequest.org_id)
        .join(ContainerType, ContainerType.id == BottleRequest.type_id)
        .outerjoin(BottleModel, BottleModel.id == ContainerType.model_id)
        .where(BottleRequest.status == "open", remaining > 0)
        .order_by(BottleRequest.site_id, BottleRequest.created_at, BottleRequest.id))
    by_site: dict[int, list[dict]] = {}
    for site_id, member, type_name, quantity, created_at, note, model in rows:
        by_site.setdefault(site_id, []).append({
            "member": member, "type_name": type_name, "quantity": int(quantity),
            "since": created_at, "note": note, "model": model})
    return [Due(site_id, {"orders": orders, "count": len(orders)})
            for site_id, orders in by_site.items()]


def subject(context: dict) -> str:
    return ngettext("%(count)s commande à préparer", "%(count)s commandes à préparer",
                    context["count"], count=number(context["count"]))
