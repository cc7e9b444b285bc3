"""The network's loops and their distances: where objects come from → the washing
site → where it sends them clean, from the record of a recent window.

A loop's distance is the object's path: origin → site, then site →
destination. Each leg is by road when a routing service answers, else the
great-circle distance × the detour factor (`distance.py`). A loop past the
network's limit (300 km) or past the distance where reusing glass stops paying
(about 600 km, ADEME) is flagged; docs/decisions.md ("Loop distances")
gives the sources.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Organisation, utcnow
from ..territories import Scope
from .distance import Distance, Distances, Point
from .record import NOT_PLACES, loop_legs
from .settings import GeoSettings, geo_settings

# The record's recent past the coordinator's page reads: four weekly collection
# rounds. Reading it costs one pass over the window's collects and deliveries: at
# 10^7 events (a national network over a year), 0.4 s for one territory and 3.2 s
# for the whole network on PostgreSQL over 90 days, 22 s on SQLite; a third of that
# over 30 days (docs/decisions.md, "Places and loop distances").
WINDOW_DAYS = 30
# Members that carry or coordinate: no place of theirs is on a loop.
UNPLACED_KINDS = tuple(kind for kind in NOT_PLACES if kind != "washing_site")


@dataclass(frozen=True)
class Place:
    """A member on the map (its point None while its coordinates are missing)."""

    id: int
    code: str
    name: str
    kind: str
    point: Point | None

    @classmethod
    def of(cls, org: Organisation) -> Place:
        point = None
        if org.latitude is not None and org.longitude is not None:
            point = (org.latitude, org.longitude)
        return cls(org.id, org.code, org.name, org.kind, point)


@dataclass(frozen=True)
class Leg:
    """One leg of a loop and the objects that travelled it in the window."""

    start: Place
    end: Place
    quantity: int
    distance: Distance | None  # None: a place without coordinates


@dataclass(frozen=True)
class Loop:
    """Origin → site → destination (a side None when the record shows none yet)."""

    site: Place
    family: str  # the container family travelling it (vocabulary.FAMILIES)
    inbound: Leg | None
    outbound: Leg | None
    limit_km: float
    break_even_km: float

    @property
    def origin(self) -> Place | None:
        return self.inbound.start if self.inbound else None

    @property
    def destination(self) -> Place | None:
        return self.outbound.end if self.outbound else None

    @property
    def total(self) -> Distance | None:
        """Both legs' distance; None when a place of the loop has no coordinates."""
        legs = [leg for leg in (self.inbound, self.outbound) if leg is not None]
        if any(leg.distance is None for leg in legs):
            return None
        total = Distance(0.0, True)
        for leg in legs:
            total += leg.distance  # type: ignore[operator]
        return total

    @property
    def over_limit(self) -> bool:
        return self.total is not None and self.total.km > self.limit_km

    @property
    def over_break_even(self) -> bool:
        return self.total is not None and self.total.km > self.break_even_km


@dataclass
class LoopsView:
    """The loops of a window, longest first, and the members still to place."""

    loops: list[Loop] = field(default_factory=list)
    missing: list[Place] = field(default_factory=list)
    in_loops: set[int] = field(default_factory=set)  # ids of the places in a loop
    settings: GeoSettings = field(default_factory=GeoSettings)
    start: datetime | None = None
    end: datetime | None = None

    @property
    def over_limit(self) -> list[Loop]:
        return [loop for loop in self.loops if loop.over_limit]

    @property
    def over_break_even(self) -> list[Loop]:
        return [loop for loop in self.loops if loop.over_break_even]


def _places(session: Session, ids: set[int]) -> dict[int, Place]:
    if not ids:
        return {}
    orgs = session.scalars(select(Organisation).where(Organisation.id.in_(sorted(ids))))
    return {org.id: Place.of(org) for org in orgs}


def _leg(distances: Distances, start: Place, end: Place, quantity: int) -> Leg:
    distance = None
    if start.point is not None and end.point is not None:
        distance = distances.between(start.point, end.point)
    return Leg(start, end, int(quantity or 0), distance)


def _sort_key(loop: Loop) -> tuple:
    total = loop.total
    return (total is not None, total.km if total else 0.0, loop.site.name,
            loop.origin.name if loop.origin else "", loop.destination.name
            if loop.destination else "")


# The legs of ended windows (a month's report): what was recorded before a window
# ended never changes, so each is read once per process.
_ENDED: dict[tuple, tuple[list, list]] = {}
ENDED_KEPT = 256


def _legs(session: Session, start: datetime, end: datetime, scope: Scope) -> tuple[list, list]:
    if end > utcnow():
        return loop_legs(session, start, end, scope)
    key = (str(session.get_bind().url), start, end, scope.territory_id)
    if key not in _ENDED:
        if len(_ENDED) >= ENDED_KEPT:
            _ENDED.clear()
        _ENDED[key] = loop_legs(session, start, end, scope)
    return _ENDED[key]


def loops_between(session: Session, start: datetime, end: datetime, *,
                  scope: Scope = Scope.WHOLE, settings: GeoSettings | None = None) -> LoopsView:
    """The loops whose legs the record shows in [start, end), for the sites `scope` sees."""
    settings = settings or geo_settings()
    distances = Distances(settings)
    inbound, outbound = _legs(session, start, end, scope)
    places = _places(session, {i for row in inbound + outbound for i in row[:2]})
    legs_in: dict[tuple[int, str], list[Leg]] = defaultdict(list)
    legs_out: dict[tuple[int, str], list[Leg]] = defaultdict(list)
    for origin, site, family, quantity in inbound:
        legs_in[site, family].append(_leg(distances, places[origin], places[site], quantity))
    for destination, site, family, quantity in outbound:
        legs_out[site, family].append(
            _leg(distances, places[site], places[destination], quantity))
    loops = [Loop(places[site], family, leg_in, leg_out, settings.loop_limit_km,
                  settings.break_even_km)
             for site, family in set(legs_in) | set(legs_out)
             for leg_in in legs_in.get((site, family)) or [None]
             for leg_out in legs_out.get((site, family)) or [None]]
    loops.sort(key=_sort_key, reverse=True)
    return LoopsView(loops, missing_places(session, scope), set(places), settings, start, end)


def recent_loops(session: Session, now: datetime, *, scope: Scope = Scope.WHOLE,
                 settings: GeoSettings | None = None) -> LoopsView:
    """The loops of the last WINDOW_DAYS days."""
    return loops_between(session, now - timedelta(days=WINDOW_DAYS), now, scope=scope,
                         settings=settings)


def missing_places(session: Session, scope: Scope = Scope.WHOLE) -> list[Place]:
    """Active members the scope sees that a loop may pass through and that have no
    coordinates (collectors and coordinations move or coordinate: no place needed)."""
    orgs = session.scalars(
        select(Organisation)
        .where(Organisation.active.is_(True), scope.members(),
               Organisation.kind.not_in(UNPLACED_KINDS),
               (Organisation.latitude.is_(None)) | (Organisation.longitude.is_(None)))
        .order_by(Organisation.name))
    return [Place.of(org) for org in orgs]
