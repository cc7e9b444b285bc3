"""The collection leg a batch's close form proposes: the van's tour from the site
through the places its inputs were collected at and back.

The tour visits the origins nearest first (nearest-neighbour on great-circle
distances, a few places per batch), and each stop's distance is by road where
the routing service answers, else estimated (`distance.py`). It is a proposal:
the operator corrects it when the van went another way or carried other
batches' objects too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Batch, Organisation
from .distance import Distance, Distances, Point, great_circle_km
from .record import batch_origins
from .settings import GeoSettings, geo_settings


@dataclass(frozen=True)
class ProposedLeg:
    """The proposed km, how many origins it visits, and those it could not place."""

    km: float
    by_road: bool
    origins: int
    unplaced: int


def tour(distances: Distances, home: Point, stops: list[Point]) -> Distance:
    """home → the nearest stop not yet visited → … → home."""
    total, here, left = Distance(0.0, True), home, list(stops)
    while left:
        nearest = min(left, key=lambda stop: great_circle_km(here, stop))
        left.remove(nearest)
        total += distances.between(here, nearest)
        here = nearest
    return total + distances.between(here, home) if stops else total


def proposed_collection_leg(session: Session, batch: Batch,
                            settings: GeoSettings | None = None) -> ProposedLeg | None:
    """The collection tour that brought the batch's scanned inputs; None when the site or
    every origin lacks coordinates, or no input has a known origin."""
    site = session.get(Organisation, batch.site_id)
    origins = batch_origins(session, batch.id)
    if site is None or site.latitude is None or site.longitude is None or not origins:
        return None
    placed = [(lat, lon) for lat, lon in session.execute(
        select(Organisation.latitude, Organisation.longitude)
        .where(Organisation.id.in_([org_id for org_id, _ in origins]),
               Organisation.latitude.is_not(None), Organisation.longitude.is_not(None)))]
    if not placed:
        return None
    distance = tour(Distances(settings or geo_settings()), (site.latitude, site.longitude),
                    sorted(set(placed)))
    return ProposedLeg(round(distance.km, 1), distance.by_road, len(placed),
                       len(origins) - len(placed))
