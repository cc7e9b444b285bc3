"""The address search (the Base Adresse Nationale's answer, canned on a local server)
and each way it can fail: no service, no address, no match, an error, a timeout,
an answer that is not JSON."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from fake_http import FakeServer

from bouteilles.services.errors import NotFound, ValidationError
from bouteilles.services.geography.geocoder import locate_address, search_url
from bouteilles.services.geography.settings import GeoSettings
from bouteilles.services.geography.web import ServiceFailed

# The shape of https://api-adresse.data.gouv.fr/search/?q=…&limit=1 (trimmed).
BAN_ANSWER = {
    "type": "FeatureCollection", "version": "draft", "query": "2 rue du Commerce Lons",
    "features": [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [5.554654, 46.674521]},
        "properties": {"label": "2 Rue du Commerce 39000 Lons-le-Saunier", "score": 0.93,
                       "housenumber": "2", "postcode": "39000", "citycode": "39300",
                       "city": "Lons-le-Saunier", "type": "housenumber"},
    }],
}


def serve(status: int = 200, body: object = BAN_ANSWER, delay: float = 0):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return FakeServer(lambda path: (status, raw, delay))


def test_an_address_found_by_the_national_address_service():
    with serve() as server:
        place = locate_address(GeoSettings(geocoder_url=f"{server.url}/search/"),
                               "2 rue du Commerce\n39000  Lons-le-Saunier")
    assert (place.latitude, place.longitude) == (46.674521, 5.554654)
    assert place.label == "2 Rue du Commerce 39000 Lons-le-Saunier"
    assert place.score == 0.93
    path, _, query = server.paths[0].partition("?")
    assert path == "/search/"
    assert urllib.parse.parse_qs(query) == {"q": ["2 rue du Commerce 39000 Lons-le-Saunier"],
                                            "limit": ["1"]}


def test_the_search_url_keeps_a_query_of_the_setting():
    assert search_url("https://x.test/search/?autocomplete=0", "a b") == \
        "https://x.test/search/?autocomplete=0&q=a+b&limit=1"


def test_no_service_configured_says_so_without_asking_anyone():
    with pytest.raises(ValidationError, match="pas configurée"):
        locate_address(GeoSettings(), "2 rue du Commerce")


def test_no_address_typed():
    with serve() as server:
        with pytest.raises(ValidationError, match="adresse"):
            locate_address(GeoSettings(geocoder_url=server.url), "  ")
    assert server.paths == []


def test_no_match():
    with serve(body={"type": "FeatureCollection", "features": []}) as server:
        with pytest.raises(NotFound, match="introuvable"):
            locate_address(GeoSettings(geocoder_url=server.url), "zzzz qqqq")


@pytest.mark.parametrize(("answer", "words"), [
    ({"status": 500}, "HTTP 500"),
    ({"status": 503, "body": b"<html>busy</html>"}, "HTTP 503"),
    ({"body": b"<html>not json</html>"}, "illisible"),
    ({"delay": 1.0}, "à temps"),
])
def test_a_failing_service_is_a_clear_refusal(answer, words):
    with serve(**answer) as server:
        with pytest.raises(ServiceFailed, match=words) as refused:
            locate_address(GeoSettings(geocoder_url=server.url, timeout_s=0.3),
                           "2 rue du Commerce")
    assert "carte" in str(refused.value)  # and what to do instead


@pytest.mark.parametrize("body", [
    {"features": [{"geometry": {"coordinates": [500, 46]}}]},
    {"features": [{"geometry": {"coordinates": ["x", "y"]}}]},
    {"features": [{"geometry": None}]},
    {"features": "none"},
    [1, 2, 3],
])
def test_an_answer_without_a_sane_point_is_no_match(body):
    with serve(body=body) as server:
        with pytest.raises(NotFound):
            locate_address(GeoSettings(geocoder_url=server.url), "2 rue du Commerce")


def test_an_unreachable_service():
    with serve() as server:
        url = server.url
    with pytest.raises(ServiceFailed, match="injoignable"):
        locate_address(GeoSettings(geocoder_url=url, timeout_s=0.5), "2 rue du Commerce")
