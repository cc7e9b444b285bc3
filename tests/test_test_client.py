"""The test client of tests/conftest.py: each request in an app context and a
database session of its own; the test commits what it wrote before a request,
and reads afterwards what the request committed."""

from __future__ import annotations

import pytest
from flask import g

from bouteilles.db.database import get_session
from bouteilles.models import Organisation


@pytest.fixture
def probe(app):
    """GET /_probe: the request's `g` and session; POST /_probe/<id>: renames that
    organisation in the request's session and commits."""
    seen = []

    @app.get("/_probe")
    def look():
        seen.append((g._get_current_object(), get_session()))
        return ""

    @app.post("/_probe/<int:org_id>")
    def rename(org_id):
        session = get_session()
        session.get(Organisation, org_id).name = "Renamed"
        session.commit()
        return ""

    return seen


def test_each_request_has_its_own_app_context_and_session(client, session, probe):
    assert client.get("/_probe").status_code == 200
    assert client.get("/_probe").status_code == 200
    (first_g, first_session), (second_g, second_session) = probe
    assert first_g is not second_g and first_session is not second_session
    assert g._get_current_object() not in (first_g, second_g)
    assert session not in (first_session, second_session)


def test_the_test_reads_what_the_request_committed(client, session, make_org, probe):
    org = make_org("restaurant")
    assert org.name != "Renamed"
    assert client.post(f"/_probe/{org.id}").status_code == 200
    assert org.name == "Renamed"


def test_writes_left_uncommitted_fail_the_request_at_once(client, session, make_org, probe):
    org = make_org("restaurant")
    org.name = "Not committed"
    with pytest.raises(AssertionError, match=r"session\.commit\(\)"):
        client.get("/_probe")
    session.flush()  # written, still not committed
    with pytest.raises(AssertionError, match=r"session\.commit\(\)"):
        client.get("/_probe")
    session.commit()
    assert client.get("/_probe").status_code == 200
