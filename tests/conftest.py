"""Fixtures: a fresh migrated database per test, on SQLite or PostgreSQL.

Set TEST_DATABASE_URL to a PostgreSQL URL (the Makefile starts a throwaway
server) to run the whole suite there; the default is SQLite.

The test and the app meet as in production: through the database. The test
has its own session (`session`); each request of the test client and each
command of the CLI runner has another, in an app context of its own. So what
the test writes, the test commits (the factories below commit what they
make) before it makes a request; and after the request its session reads what
the request committed.
"""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import threading
import time
import uuid

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bouteilles import create_app
from bouteilles.db.database import get_session, make_engine, upgrade_database
from bouteilles.models import Organisation, User
from bouteilles.services.members.accounts import create_org, create_user, issue_token
from bouteilles.services.movements import commission_containers, create_crate, record_scan

PG_URL = os.environ.get("TEST_DATABASE_URL")
# On PostgreSQL, how many copies of the migrated template are kept ready (0: each
# test waits for its own copy).
SPARE_DATABASES = int(os.environ.get("TEST_SPARE_DATABASES", "2"))
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
        if PG_URL and SPARE_DATABASES:
            self._spares: queue.Queue = queue.Queue(maxsize=SPARE_DATABASES)
            self._closing = threading.Event()
            self._maker = threading.Thread(target=self._make_spares, daemon=True,
                                           name="spare-databases")
            self._maker.start()

    def _pg_url(self, name: str) -> str:
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def _create(self) -> str:
        name = f"{self.prefix}_{next(_counter)}"
        with self.admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {self.prefix}_tmpl"))
        return name

    def _make_spares(self) -> None:
        """Copies of the template made ahead, while the tests run: a copy takes the
        server 0.1-0.3 s, most of a short test's time, and a second core is idle."""
        while not self._closing.is_set():
            try:
                name = self._create()
            except DBAPIError as exc:
                self._spares.put(exc)
                return
            while True:
                try:
                    self._spares.put(name, timeout=0.5)
                    break
                except queue.Full:
                    if self._closing.is_set():
                        self._drop_name(name)
                        return

    def new(self) -> str:
        if PG_URL:
            spare = self._spares.get() if SPARE_DATABASES else self._create()
            if isinstance(spare, Exception):
                raise spare
            self.created.append(spare)
            return self._pg_url(spare)
        path = self.tmp_dir / f"db{next(_counter)}.sqlite3"
        shutil.copyfile(self.tmp_dir / "template.sqlite3", path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        if not PG_URL:
            return
        self._drop_name(make_url(url).database)

    def _drop_name(self, name: str) -> None:
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
        if PG_URL and SPARE_DATABASES:
            self._closing.set()
            self._maker.join()
            while not self._spares.empty():
                spare = self._spares.get()
                if isinstance(spare, str):
                    self._drop_name(spare)
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


def _end_test_transaction(doing: str) -> None:
    """Before a request or a command: the test's session (the `session` fixture,
    in the app context the test holds) must have nothing left to commit.

    A transaction that wrote is the test's to commit: this fails, saying so
    (the request, in a session of its own, would wait for it: on SQLite for the
    write lock, on PostgreSQL for the rows). A transaction that only read is
    ended (rolled back: nothing is lost), since on SQLite it holds the write
    lock from its BEGIN, as every transaction of the app does. And the test's
    objects are expired: what the test reads after the request is what the
    request committed.
    """
    if not has_app_context():
        return
    session = g.get("db_session")
    if session is None:
        return
    if session.new or session.dirty or session.deleted:
        raise AssertionError(
            f"The test added, changed or deleted objects and did not commit them before "
            f"{doing}: call session.commit() first ({doing} runs in a session of its "
            f"own and sees only what is committed).")
    began = session.info.get("began")
    if began is not None and _wrote(*began):
        raise AssertionError(
            f"The test's session wrote and did not commit before {doing}: call "
            f"session.commit() first ({doing} runs in a session of its own and would "
            f"wait for the test's transaction).")
    if session.in_transaction():
        session.rollback()
    session.expire_all()


def _wrote(connection, changes_at_begin: int | None) -> bool:
    """Whether the transaction open on `connection` has written (or, on PostgreSQL,
    locked rows: FOR UPDATE takes a transaction id too)."""
    if changes_at_begin is not None:  # SQLite: rows changed since BEGIN
        return connection.connection.dbapi_connection.total_changes != changes_at_begin
    return connection.exec_driver_sql("SELECT txid_current_if_assigned()").scalar() is not None


def _note_begin(session, transaction, connection) -> None:
    if transaction.parent is None:
        dbapi = connection.connection.dbapi_connection
        changes = dbapi.total_changes if connection.dialect.name == "sqlite" else None
        session.info["began"] = (connection, changes)


def _note_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("began", None)


class RequestClient(FlaskClient):
    """The test client, each request in an app context of its own, as in production.

    Flask runs a request in the app context already pushed, if it is the same
    app's (`RequestContext.push`); the `session` fixture holds one for the whole
    test, so a request would share the test's `g`: its database session and
    Flask-Login's user of the previous request. Here every request, redirects
    included, gets a fresh app context: its own `g`, its own session, closed at
    the end of the request. The test's session is another client of the
    database: see `_end_test_transaction` for what it must do before a request.
    """

    def run_wsgi_app(self, environ, buffered=False):
        _end_test_transaction("the request")
        with self.application.app_context():
            return super().run_wsgi_app(environ, buffered=buffered)


class CommandRunner(FlaskCliRunner):
    """The CLI runner, each command in an app context of its own, as from a shell."""

    def invoke(self, *args, **kwargs):
        _end_test_transaction("the command")
        with self.app.app_context():
            return super().invoke(*args, **kwargs)


def _use_own_contexts(app):
    app.test_client_class = RequestClient
    app.test_cli_runner_class = CommandRunner
    return app


@pytest.fixture
def app(db_url, tmp_path):
    app = _use_own_contexts(create_app(_app_config(db_url)))
    app.instance_path = str(tmp_path)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def make_app(db_url):
    """make_app(**config) → another app on the test's database with other settings
    (another worker, limits or CSRF on)."""
    made = []

    def make(**overrides):
        app = _use_own_contexts(create_app({**_app_config(db_url), **overrides}))
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
def login(client):
    """login(user, password="marnes-tilleul-1774") → the user, logged in on `client`."""

    def do(user: User, password: str = "marnes-tilleul-1774") -> User:
        client.post("/logout")
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.text
        return user

    return do


@pytest.fixture
def session(app):
    """The test's session, in an app context held for the whole test (so
    `get_session()` in the test returns it too). It is made like a request's
    (objects are not expired at commit); the test client expires them before
    each request (`_end_test_transaction`)."""
    with app.app_context():
        session = get_session()
        event.listen(session, "after_begin", _note_begin)
        event.listen(session, "after_transaction_end", _note_end)
        yield session


@pytest.fixture
def make_org(session):
    """make_org(kind, code=None) → Organisation."""

    def make(kind: str, code: str | None = None, **kw) -> Organisation:
        code = code or f"{kind.replace('_', '-')}-{next(_counter)}"
        org = create_org(session, code=code, name=code.title(), kind=kind, **kw)
        session.commit()
        return org

    return make


@pytest.fixture
def make_user(session, make_org):
    """make_user(kind) → a user of a new organisation of that kind."""

    def make(kind: str = "restaurant", org: Organisation | None = None,
             password: str = "marnes-tilleul-1774") -> User:
        org = org or make_org(kind)
        user = create_user(session, email=f"u{next(_counter)}@{org.code}.test", org=org,
                           password=password, admin=org.kind == "coordinator")
        session.commit()
        return user

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
        code = box.code
        session.commit()
        return code

    return make


@pytest.fixture
def make_crate(session, actors):
    """make_crate(type, quantity, state, holder=org) → a crate's code."""

    def make(type_code: str = "bouteille-75", quantity: int = 100, state: str = "returned",
             holder: Organisation | None = None) -> str:
        holder = holder or actors["collection_point"].org
        code = create_crate(session, actor=actors["coordinator"], type_code=type_code,
                            quantity=quantity, holder_code=holder.code, state=state).code
        session.commit()
        return code

    return make


@pytest.fixture
def scan(session):
    """scan(user, code, action, **kw) → ScanResult (committed)."""

    def do(user: User, code: str, action: str, **kw):
        result = record_scan(session, actor=user, code=code, action=action, **kw)
        session.commit()
        return result

    return do


@pytest.fixture
def token_for(session):
    """token_for(user) → headers with a bearer token."""

    def make(user: User) -> dict:
        _token, clear = issue_token(session, user)
        session.commit()
        return {"Authorization": f"Bearer {clear}"}

    return make
