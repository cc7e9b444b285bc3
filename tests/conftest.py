"""Fixtures: a fresh migrated database per test, on SQLite or PostgreSQL.

Set TEST_DATABASE_URL to a PostgreSQL URL (the Makefile starts a throwaway
server) to run the whole suite there; the default is SQLite.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
import uuid

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bouteilles import create_app
from bouteilles.db.database import get_session, make_engine, upgrade_database
from bouteilles.models import Organisation, User
from bouteilles.services.members.accounts import create_org, create_user, issue_token
from bouteilles.services.movements import commission_containers, create_crate, record_scan

PG_URL = os.environ.get("TEST_DATABASE_URL")
pytest_plugins = ["log_writers"]  # nothing outside services/movements writes the log
_counter = itertools.count()


def _app_config(url: str) -> dict:
    return {
        "TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
        "BASE_URL": "http://bouteilles.test", "WTF_CSRF_ENABLED": False,
        "LOGIN_LIMITS": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


class DatabaseFactory:
    """Makes a migrated template once, then a cheap copy of it per test."""

    def __init__(self, tmp_dir) -> None:
        self.tmp_dir = tmp_dir
        self.prefix = f"bt_{uuid.uuid4().hex[:8]}"
        if PG_URL:
            self.admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
            with self.admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {self.prefix}_tmpl"))
            self.template_url = self._pg_url(f"{self.prefix}_tmpl")
        else:
            self.template_url = f"sqlite:///{tmp_dir / 'template.sqlite3'}"
        upgrade_database(create_app(_app_config(self.template_url)))
        self.created: list[str] = []

    def _pg_url(self, name: str) -> str:
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def new(self) -> str:
        n = next(_counter)
        if PG_URL:
            name = f"{self.prefix}_{n}"
            with self.admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {self.prefix}_tmpl"))
            self.created.append(name)
            return self._pg_url(name)
        path = self.tmp_dir / f"db{n}.sqlite3"
        shutil.copyfile(self.tmp_dir / "template.sqlite3", path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        if not PG_URL:
            return
        name = make_url(url).database
        for attempt in range(5):
            try:
                with self.admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                return
            except DBAPIError:
                # A server background worker may still be attached; the database is
                # throwaway, so retry briefly and otherwise leave it to the cluster.
                time.sleep(0.2 * (attempt + 1))

    def close(self) -> None:
        if PG_URL:
            with self.admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {self.prefix}_tmpl WITH (FORCE)"))
            self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.close()


@pytest.fixture
def db_url(databases):
    url = databases.new()
    yield url
    databases.drop(url)


class CommittingClient(FlaskClient):
    """The test client, committing what the test wrote before each request.

    A request made while a test holds an app context (the `session` fixture)
    runs in that context, so it shares the test's session and `g` (from which
    Flask-Login's user of the previous request is taken away). In production each
    request has its own; and the scan's hot path works on a pooled connection of
    its own (services/movements/submissions.py), which would wait for the test's open
    transaction (on SQLite: the write lock). So the test's writes are committed
    first, as another process's would be.
    """

    def open(self, *args, **kwargs):
        session = g.get("db_session") if has_app_context() else None
        if session is not None and session.in_transaction():
            session.commit()
        if has_app_context():
            g.pop("_login_user", None)  # Flask-Login's user of the previous request
        return super().open(*args, **kwargs)


@pytest.fixture
def app(db_url, tmp_path):
    app = create_app(_app_config(db_url))
    app.test_client_class = CommittingClient
    app.instance_path = str(tmp_path)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def make_app(db_url):
    """make_app(**config) → another app on the test's database with other settings
    (another worker, limits or CSRF on)."""
    made = []

    def make(**overrides):
        app = create_app({**_app_config(db_url), **overrides})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["db_engine"].dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """A throwaway SQLite database with the app's engine settings (WAL, the writer
    queue, the checkpoints) and one table, `t (n INTEGER UNIQUE)`."""
    engine = make_engine(f"sqlite:///{tmp_path / 'scratch.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER UNIQUE)"))
    yield engine
    engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client, session):
    """login(user, password="marnes-tilleul-1774") → the user, logged in on `client`."""

    def do(user: User, password: str = "marnes-tilleul-1774") -> User:
        session.commit()
        client.post("/logout")
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.text
        return user

    return do


@pytest.fixture
def session(app):
    with app.app_context():
        yield get_session()


@pytest.fixture
def make_org(session):
    """make_org(kind, code=None) → Organisation."""

    def make(kind: str, code: str | None = None, **kw) -> Organisation:
        code = code or f"{kind.replace('_', '-')}-{next(_counter)}"
        return create_org(session, code=code, name=code.title(), kind=kind, **kw)

    return make


@pytest.fixture
def make_user(session, make_org):
    """make_user(kind) → a user of a new organisation of that kind."""

    def make(kind: str = "restaurant", org: Organisation | None = None,
             password: str = "marnes-tilleul-1774") -> User:
        org = org or make_org(kind)
        return create_user(session, email=f"u{next(_counter)}@{org.code}.test", org=org,
                           password=password, admin=org.kind == "coordinator")

    return make


@pytest.fixture
def actors(make_user):
    """One user per organisation kind, created on demand: actors['restaurant']."""

    class Actors(dict):
        def __missing__(self, kind):
            self[kind] = make_user(kind)
            return self[kind]

    return Actors()


@pytest.fixture
def make_container(session, actors):
    """make_container(type='bocal-500', holder=org) → a clean container's code."""

    def make(type_code: str = "bocal-500", holder: Organisation | None = None) -> str:
        holder = holder or actors["restaurant"].org
        box = commission_containers(session, actor=actors["coordinator"], type_code=type_code,
                                    count=1, holder_code=holder.code)[0]
        return box.code

    return make


@pytest.fixture
def make_crate(session, actors):
    def make(type_code: str = "bouteille-75", quantity: int = 100, state: str = "returned",
             holder: Organisation | None = None) -> str:
        holder = holder or actors["collection_point"].org
        return create_crate(session, actor=actors["coordinator"], type_code=type_code,
                            quantity=quantity, holder_code=holder.code, state=state).code

    return make


@pytest.fixture
def scan(session):
    """scan(user, code, action, **kw) → ScanResult."""

    def do(user: User, code: str, action: str, **kw):
        return record_scan(session, actor=user, code=code, action=action, **kw)

    return do


@pytest.fixture
def token_for(session):
    """token_for(user) → headers with a bearer token."""

    def make(user: User) -> dict:
        _token, clear = issue_token(session, user)
        session.commit()
        return {"Authorization": f"Bearer {clear}"}

    return make
