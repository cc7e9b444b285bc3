"""Notification "pickups": to the collectors, the open requests to be collected
("bac plein") of the members they serve.

Who serves a member: the collectors of its territory; where the territory has
none, its washing sites (they collect too); a member without a territory is
served by the collectors without one, else by every collector.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from bouteilles.formatting import number
from bouteilles.models import Organisation, PickupRequest
from bouteilles.services.notifications.due import Due


def due(session: Session, now: datetime, since: datetime) -> list[Due]:
    """One `Due` per collector with open requests to answer, oldest first."""
    rows = session.execute(
        select(PickupRequest.requested_at, PickupRequest.note, Organisation.name,
               Organisation.address, Organisation.territory_id)
        .join(Organisation, Organisation.id == PickupRequest.org_id)
        .where(PickupRequest.status == "open")
        .order_by(PickupRequest.requested_at, PickupRequest.id)).all()
    if not rows:
        return []
    serving = _serving(session)
    by_org: dict[int, list[dict]] = {}
    for requested_at, note, name, address, territory_id in rows:
        for org_id in serving(territory_id):
            by_org.setdefault(org_id, []).append({
                "place": name, "address": address, "requested_at": requested_at,
                "note": note})
    return [Due(org_id, {"requests": requests, "count": len(requests)})
            for org_id, requests in sorted(by_org.items())]


def _serving(session: Session):
    """territory id → the ids of the members that collect there (see the module)."""
    members = session.execute(
        select(Organisation.id, Organisation.kind, Organisation.territory_id)
        .where(Organisation.kind.in_(("collector", "washing_site")),
               Organisation.active.is_(True))).all()

    def ids(kind: str, territory_id: int | None) -> list[int]:
        return [m.id for m in members if m.kind == kind and m.territory_id == territory_id]

    def serving(territory_id: int | None) -> Iterable[int]:
        if territory_id is None:
            return ids("collector", None) or [m.id for m in members if m.kind == "collector"]
        return ids("collector", territory_id) or ids("washing_site", territory_id)

    return serving


def subject(context: dict) -> str:
    return ngettext("%(count)s demande de collecte en attente",
                    "%(count)s demandes de collecte en attente",
                    context["count"], count=number(context["count"]))
