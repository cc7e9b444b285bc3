"""Fixtures of the reliability tests: a real gunicorn on the test database, invariants."""

from __future__ import annotations

import pytest
from loadgen import GunicornServer

from bouteilles.services.members.accounts import issue_token
from bouteilles.services.oversight.replay_check import check_integrity, format_report


@pytest.fixture
def gunicorn(db_url, session):
    """gunicorn(**options) → a started server on this test's database (stopped after)."""
    servers: list[GunicornServer] = []

    def start(**options) -> GunicornServer:
        session.commit()  # SQLite: no open write transaction may block the server
        server = GunicornServer(db_url, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def clear_token(session):
    """clear_token(user) → a bearer token for that user (committed)."""

    def make(user) -> str:
        _token, clear = issue_token(session, user)
        session.commit()
        return clear

    return make


@pytest.fixture
def assert_invariants(session):
    """assert_invariants() → the integrity report; fails the test with it when broken."""

    def check():
        session.rollback()
        session.expire_all()
        report = check_integrity(session)
        session.rollback()
        assert report.ok, format_report(report)
        return report

    return check
