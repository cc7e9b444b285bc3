"""The return points of the public "Où rapporter ?" page: who takes an object
back, whether it is open now, how far it is.

Who takes what back is the public item page's rule (`RETURN_KINDS`), so a
label's page and the map agree. Distances are great-circle distances from a
position the visitor gave (their phone's, or `?lat=&lon=`): as the crow
flies (the loops' haversine, `geography.distance`), which is what a list
sorted "around me" needs; the browser sorts with the same formula.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ContainerType, Organisation
from ..geography.distance import great_circle_km
from ..items.public_page import RETURN_KINDS
from .hours import open_now

Position = tuple[float, float]  # WGS 84 degrees: latitude, longitude
TYPE_CODE = re.compile(r"[\w.-]{1,64}")


@dataclass(frozen=True)
class ReturnPoint:
    """One place that takes objects back, as the public page shows it."""

    id: int
    name: str
    kind: str
    address: str | None
    opening_hours: str | None
    latitude: float | None
    longitude: float | None
    open_now: bool | None  # None: hours not given or not readable
    distance_km: float | None = None  # from the visitor's position, when known

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def position_of(lat: str | None, lon: str | None) -> Position | None:
    """A position from two typed numbers, or None when they are not one."""
    try:
        latitude, longitude = float(lat or ""), float(lon or "")
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # also refuses nan
        return None
    return latitude, longitude


def active_type(session: Session, type_code: str | None) -> ContainerType | None:
    """The active container type of this code (the public item page's `?type=`);
    None for anything typed that cannot be a code (a NUL byte, which PostgreSQL
    refuses in a query, included)."""
    if not type_code or not TYPE_CODE.fullmatch(type_code):
        return None
    return session.scalar(select(ContainerType).where(
        ContainerType.code == type_code, ContainerType.active.is_(True)))


def return_points(session: Session, family: str, *, at: datetime,
                  origin: Position | None = None) -> list[ReturnPoint]:
    """Every active place taking back this family ("box", "bottle", "any"): nearest
    first from `origin`, else by name; places without coordinates last."""
    kinds = RETURN_KINDS.get(family, RETURN_KINDS["any"])
    orgs = session.scalars(select(Organisation).where(
        Organisation.kind.in_(kinds), Organisation.active.is_(True))
        .order_by(Organisation.name, Organisation.id))
    points = [_point(org, at, origin) for org in orgs]
    far = math.inf
    return sorted(points, key=lambda p: (not p.located,
                                         far if p.distance_km is None else p.distance_km))


def _point(org: Organisation, at: datetime, origin: Position | None) -> ReturnPoint:
    located = org.latitude is not None and org.longitude is not None
    distance = (great_circle_km(origin, (org.latitude, org.longitude))
                if origin is not None and located else None)
    return ReturnPoint(id=org.id, name=org.name, kind=org.kind, address=org.address,
                       opening_hours=org.opening_hours, latitude=org.latitude,
                       longitude=org.longitude, open_now=open_now(org.opening_hours, at),
                       distance_km=distance)
