"""`flask orgs locate CODE --lat --lon` and `--from-address` (a local stand-in for the
national address service)."""

from __future__ import annotations

import json

from fake_http import FakeServer

BAN = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "geometry": {"type": "Point", "coordinates": [5.554654, 46.674521]},
    "properties": {"label": "2 Rue du Commerce 39000 Lons-le-Saunier", "score": 0.93}}]}


def test_locate_with_typed_coordinates_then_unset(runner, make_org, session):
    org = make_org("restaurant", code="resto-cli")
    result = runner.invoke(args=["orgs", "locate", "resto-cli", "--lat", "46.6747",
                                 "--lon", "5.5547"])
    assert result.exit_code == 0, result.output
    session.refresh(org)
    assert (org.latitude, org.longitude) == (46.6747, 5.5547)
    assert runner.invoke(args=["orgs", "locate", "resto-cli"]).exit_code == 0
    session.refresh(org)
    assert org.latitude is None and org.longitude is None


def test_locate_refuses_one_coordinate_or_an_unknown_member(runner, make_org):
    make_org("restaurant", code="resto-cli")
    result = runner.invoke(args=["orgs", "locate", "resto-cli", "--lat", "46.6"])
    assert result.exit_code != 0 and "longitude" in result.output
    assert runner.invoke(args=["orgs", "locate", "nobody", "--lat", "1", "--lon", "2"]
                         ).exit_code != 0
    assert runner.invoke(args=["orgs", "locate", "resto-cli", "--lat", "91", "--lon", "2"]
                         ).exit_code != 0


def test_locate_from_the_address(make_app, make_org, session):
    org = make_org("restaurant", code="resto-ban", address="2 rue du Commerce, Lons")
    with FakeServer(lambda path: (200, json.dumps(BAN).encode(), 0)) as server:
        runner = make_app(GEOCODER_URL=f"{server.url}/search/").test_cli_runner()
        result = runner.invoke(args=["orgs", "locate", "resto-ban", "--from-address"])
    assert result.exit_code == 0, result.output
    session.refresh(org)
    assert (org.latitude, org.longitude) == (46.674521, 5.554654)


def test_locate_from_the_address_without_a_service(runner, make_org):
    make_org("restaurant", code="resto-ban", address="2 rue du Commerce")
    result = runner.invoke(args=["orgs", "locate", "resto-ban", "--from-address"])
    assert result.exit_code != 0 and "pas configurée" in result.output
