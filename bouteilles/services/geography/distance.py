"""The distance between two places: by road where a routing service is configured,
else the great-circle distance times the detour factor (docs/decisions.md, "Loop
distances").

Road distances come from an OSRM-compatible server (`ROUTING_URL`): one route
per pair, kept for the life of the process (roads do not move between two
pages). When the server fails, the pair is estimated and the server is left
alone for a minute, so a page with many pairs never waits 5 s for each.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .settings import GeoSettings
from .web import ServiceFailed, get_json

EARTH_RADIUS_KM = 6371.0088  # the mean Earth radius (IUGG), for the haversine formula
RETRY_AFTER_S = 60.0  # after a routing failure, estimate for this long
CACHE_SIZE = 20_000

Point = tuple[float, float]  # (latitude, longitude), WGS 84 degrees

_road_km: dict[tuple[str, Point, Point], float] = {}
_down_until: dict[str, float] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Distance:
    """A distance in km, by road (a routing service's route) or estimated."""

    km: float
    by_road: bool

    def __add__(self, other: Distance) -> Distance:
        return Distance(self.km + other.km, self.by_road and other.by_road)


def great_circle_km(a: Point, b: Point) -> float:
    """The haversine distance between two points on a sphere of the Earth's mean radius."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _key(point: Point) -> Point:
    return (round(point[0], 5), round(point[1], 5))  # about a metre


def osrm_km(routing_url: str, a: Point, b: Point, *, timeout: float) -> float:
    """The driving distance of OSRM's route from `a` to `b`; ServiceFailed otherwise."""
    url = (f"{routing_url}/route/v1/driving/{a[1]:.6f},{a[0]:.6f};{b[1]:.6f},{b[0]:.6f}"
           "?overview=false")
    answer = get_json(url, timeout=timeout)
    try:
        metres = answer["routes"][0]["distance"]  # type: ignore[index]
        ok = answer.get("code", "Ok") == "Ok"  # type: ignore[union-attr]
    except (KeyError, IndexError, TypeError, AttributeError):
        metres, ok = None, False
    if not ok or isinstance(metres, bool) or not isinstance(metres, int | float) \
            or not math.isfinite(metres) or metres < 0:
        raise ServiceFailed(_l("Le service d'itinéraires n'a pas donné de trajet."))
    return metres / 1000


class Distances:
    """Distances for one page, report or form, with the settings of the app."""

    def __init__(self, settings: GeoSettings) -> None:
        self.settings = settings

    def estimate(self, a: Point, b: Point) -> Distance:
        return Distance(great_circle_km(a, b) * self.settings.detour_factor, False)

    def between(self, a: Point, b: Point) -> Distance:
        """By road when the routing service answers (or answered before), else estimated."""
        url = self.settings.routing_url
        if not url:
            return self.estimate(a, b)
        key = (url, _key(a), _key(b))
        with _lock:
            known = _road_km.get(key)
            down = _down_until.get(url, 0.0) > time.monotonic()
        if known is not None:
            return Distance(known, True)
        if down:
            return self.estimate(a, b)
        try:
            km = osrm_km(url, a, b, timeout=self.settings.timeout_s)
        except ServiceFailed:
            with _lock:
                _down_until[url] = time.monotonic() + RETRY_AFTER_S
            return self.estimate(a, b)
        with _lock:
            if len(_road_km) >= CACHE_SIZE:
                _road_km.clear()
            _road_km[key] = km
        return Distance(km, True)


def forget_routes() -> None:
    """Empty the process's routes and failures (the tests start from nothing)."""
    with _lock:
        _road_km.clear()
        _down_until.clear()
