"""Scans sent to the API: each idempotency key recorded once, its answer stored.

`submit_scan` claims the key (`INSERT … ON CONFLICT DO NOTHING`), records the
scan (`scans.scan_for_api`) and stores the answer it gave: a replay of the key
gets that answer back as-is, refusals included (phones resend their offline
queue). A key claimed but not yet answered belongs to a transaction in flight.

`submit_token_scan` is the counter's way: a scan sent with a bearer token
that needs nothing but the container's row (a lend, a return…) is recorded
without the session (`counter`), in two statements on
PostgreSQL, on a snapshot and in a shared transaction on SQLite. Anything else
(a crate, commissioning, input that does not parse, a refusal, a replay) goes
through `submit_scan`, so every refusal reads the same.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, Engine, bindparam, delete, literal_column, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ...db.driver import DriverConnection, DriverStatement
from ...models import IdempotentResponse, User, utcnow
from ...models.base import UTCDateTime
from ...schemas.scans import read_scan
from ..errors import BouteillesError, Conflict, Contended, Unauthorized, ValidationError
from ..items.lookup import parse_code
from ..members.accounts import Actor, actor_for_token
from .counter import record_counter_scan
from .scans import scan_for_api

TOKEN_REFUSED = _l("Jeton d'API invalide ou révoqué.")

_KEYS = IdempotentResponse.__table__
_TAKE_KEY = {name: DriverStatement(
    dialect.insert(_KEYS).values(
        key=bindparam("key"), org_id=bindparam("org_id"), status=0,
        body=literal_column("'{}'"), created_at=bindparam("now", type_=UTCDateTime()))
    .on_conflict_do_nothing(index_elements=["key"]).returning(_KEYS.c.key))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}
_STORED = select(_KEYS.c.status, _KEYS.c.body, _KEYS.c.org_id).where(
    _KEYS.c.key == bindparam("k"))
_FORGET_KEY = delete(_KEYS).where(_KEYS.c.key == bindparam("k"))
_ANSWER = DriverStatement(sql_update(_KEYS).where(_KEYS.c.key == bindparam("k")).values(
    status=bindparam("status"), body=bindparam("body", type_=_KEYS.c.body.type)))


def submit_scan(session: Session, actor: User | Actor, data: object, *,
                parsed: tuple[str, str, dict] | None = None) -> tuple[int, dict]:
    """Record a scan at most once per idempotency key; return (status, body).

    A key seen before answers 200 with the body first given. Bad input (422) is
    not remembered: input of the wrong shape (`schemas.scans`) is refused before
    its key is claimed, and a key claimed by a scan the life cycle finds
    malformed is let go, so the client may correct it and send again; nor is a scan
    that met the same box moving at the same moment too often (409, `Contended`). `parsed`: what
    `_parse` made of `data`, if the caller parsed it already.
    """
    if parsed is None:
        scan = read_scan(data)
        key, fields = scan.idempotency_key, scan.fields()
    else:
        key, _code, fields = parsed
    actor = actor if isinstance(actor, Actor) else Actor.of(actor)
    known = _claim(session.connection(), key, actor)
    return known if known is not None else _answer(session, actor, key, fields)


def submit_once(session: Session, actor: User | Actor, key: str,
                record: Callable[[], dict]) -> tuple[int, dict]:
    """Run `record` (a move other than a scan: an undo) at most once per idempotency
    key: (201, its answer), or (200, the answer first given) for a key seen before.
    A refusal is not remembered: the key may be sent again. The caller keeps its
    keys apart from the scans' (a prefix), so that a key never answers with
    another kind of move's answer."""
    actor = actor if isinstance(actor, Actor) else Actor.of(actor)
    conn = session.connection()
    known = _claim(conn, key, actor)
    if known is not None:
        return known
    try:
        body = record()
    except BouteillesError:
        conn.execute(_FORGET_KEY, {"k": key})
        raise
    _ANSWER.run(conn, {"k": key, "status": 201, "body": body})
    return 201, body


def submit_token_scan(engine: Engine, open_session: Callable[[], Session], token: str,
                      data: object) -> tuple[int, dict]:
    """`submit_scan` for the holder of a bearer token; 401 if it is not valid.

    A move that needs nothing but the container's row (a lend, a return…) is
    recorded without a session, on a connection of
    `engine`'s pool (`counter`); `open_session` gives the request's
    session to everything else (the general path).
    """
    parsed = _parse(data)
    if parsed is None:
        session = open_session()
        return submit_scan(session, scanner(session, token), data)
    with DriverConnection(engine) as conn:
        found = record_counter_scan(conn, token, *parsed)
    if found is None:
        raise Unauthorized(TOKEN_REFUSED)
    actor, body = found
    if body is not None:
        return 201, body
    return submit_scan(open_session(), actor, data, parsed=parsed)


def scanner(session: Session, token: str) -> Actor:
    """The actor behind a bearer token; 401 if it is not valid."""
    actor = actor_for_token(session, token)
    if actor is None:
        raise Unauthorized(TOKEN_REFUSED)
    return actor


def _answer(session: Session, actor: Actor, key: str, fields: dict) -> tuple[int, dict]:
    """Record the scan under the claimed `key`; store and return the answer."""
    conn = session.connection()
    try:
        body = scan_for_api(session, actor, key, fields)
        status = 201
    except (ValidationError, Contended):
        conn.execute(_FORGET_KEY, {"k": key})  # the client may send it again
        raise
    except BouteillesError as exc:
        status, body = exc.status, error_body(exc)
    _ANSWER.run(conn, {"k": key, "status": status, "body": body})
    return status, body


def _parse(data: object) -> tuple[str, str, dict] | None:
    """(key, canonical code, fields) of well-formed input; else None."""
    try:
        scan = read_scan(data)
        return scan.idempotency_key, parse_code(scan.code), scan.fields()
    except ValidationError:
        return None


def _claim(conn: Connection, key: str, actor: Actor) -> tuple[int, dict] | None:
    """Claim `key` for `actor`'s answer: None when claimed now, else the answer the
    key already has (`_known_answer`)."""
    claimed = _TAKE_KEY[conn.dialect.name].first(conn, {
        "key": key, "org_id": actor.org_id, "now": utcnow()})
    return _known_answer(conn, key, actor) if claimed is None else None


def _known_answer(conn: Connection, key: str, actor: Actor) -> tuple[int, dict]:
    """The answer already given under `key` (a claimed key answers 200 as first)."""
    known = conn.execute(_STORED, {"k": key}).first()
    if known is None or known.status == 0:
        raise Conflict(_l("Clé d'idempotence en cours d'utilisation : réessayez."))
    if known.org_id != actor.org_id:
        raise Conflict(_l("Cette clé d'idempotence a déjà servi à une autre organisation."))
    return 200, known.body


def error_body(exc: BouteillesError) -> dict:
    """The API error shape (French message; routes may translate)."""
    return {"error": {"code": exc.code, "message": str(exc)}}
