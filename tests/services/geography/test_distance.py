"""Distances: the haversine formula, an OSRM route from a local server, the estimate
when there is none, and the process's cache of routes."""

from __future__ import annotations

import json

import pytest
from fake_http import FakeServer

from bouteilles.services.geography.distance import (
    Distance,
    Distances,
    forget_routes,
    great_circle_km,
)
from bouteilles.services.geography.settings import GeoSettings

LONS = (46.6747, 5.5547)  # Lons-le-Saunier
DOLE = (47.0920, 5.4898)
PARIS = (48.8566, 2.3522)
LYON = (45.7640, 4.8357)


@pytest.fixture(autouse=True)
def _fresh_cache():
    forget_routes()
    yield
    forget_routes()


def osrm(metres: float, code: str = "Ok") -> bytes:
    return json.dumps({"code": code, "routes": [{"distance": metres, "duration": 1}],
                       "waypoints": []}).encode()


def test_great_circle_of_known_pairs():
    assert great_circle_km(PARIS, LYON) == pytest.approx(391.5, abs=1.0)
    assert great_circle_km(LONS, LONS) == 0
    assert great_circle_km(LONS, DOLE) == great_circle_km(DOLE, LONS)
    # Antipodes: half the Earth's circumference, no domain error.
    assert great_circle_km((0, 0), (0, 180)) == pytest.approx(20015.1, abs=1.0)


def test_without_routing_service_the_estimate_is_great_circle_times_the_factor():
    distance = Distances(GeoSettings(detour_factor=1.3)).between(PARIS, LYON)
    assert distance == Distance(pytest.approx(391.5 * 1.3, abs=1.5), False)


def test_a_route_from_the_routing_service_is_by_road_and_kept():
    with FakeServer(lambda path: (200, osrm(52_345.6), 0)) as server:
        distances = Distances(GeoSettings(routing_url=server.url))
        assert distances.between(LONS, DOLE) == Distance(pytest.approx(52.3456), True)
        assert distances.between(LONS, DOLE).by_road  # the second from the cache
    assert len(server.paths) == 1
    assert server.paths[0] == ("/route/v1/driving/5.554700,46.674700;5.489800,47.092000"
                               "?overview=false")


@pytest.mark.parametrize("answer", [
    (500, b"{}", 0),
    (200, b"not json", 0),
    (200, osrm(1000, code="NoRoute"), 0),
    (200, b'{"code": "Ok", "routes": []}', 0),
    (200, b'{"code": "Ok", "routes": [{"distance": -3}]}', 0),
    (200, b'{"code": "Ok", "routes": [{"distance": true}]}', 0),
    (200, osrm(1000), 1.0),  # later than the timeout
])
def test_a_failing_routing_service_gives_the_estimate(answer):
    with FakeServer(lambda path: answer) as server:
        distances = Distances(GeoSettings(routing_url=server.url, timeout_s=0.3))
        distance = distances.between(LONS, DOLE)
        assert not distance.by_road
        assert distance.km == pytest.approx(great_circle_km(LONS, DOLE) * 1.3)
        # Left alone for a while: the next pair does not wait for it again.
        assert not distances.between(DOLE, LONS).by_road
    assert len(server.paths) == 1


def test_an_unreachable_routing_service_gives_the_estimate():
    with FakeServer(lambda path: (200, b"", 0)) as server:
        url = server.url
    distance = Distances(GeoSettings(routing_url=url, timeout_s=0.5)).between(LONS, DOLE)
    assert not distance.by_road
