"""The SQL of a container's move (`container_move`, `counter`), kept apart
from the rules that choose what to write.

`READ` is the container with all a decision needs (type and its deposit in the
object's territory, holder, open ledger entry, batch); the writes are plain SQL
text, run on the driver's cursor (`driver_sql.DriverStatement`) because a lend
or return runs them on every request.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    String,
    bindparam,
    func,
    literal_column,
    select,
    text,
    true,
    type_coerce,
    update,
)
from sqlalchemy.dialects import sqlite

from ...db.driver import DriverStatement
from ...models import (
    Batch,
    Container,
    ContainerType,
    DepositEntry,
    Event,
    IdempotentResponse,
    Label,
    Organisation,
    TerritoryDeposit,
)
from ...models.base import UTCDateTime
from ..members.accounts import TOKEN_ACTOR, token_actor_columns

_c = Container.__table__
_t = ContainerType.__table__
_h = Organisation.__table__.alias("holder")
_o = Organisation.__table__.alias("owner")
_d = DepositEntry.__table__
_b = Batch.__table__
_td = TerritoryDeposit.__table__

READ = (
    select(_c.c.id, _c.c.code, _c.c.state, _c.c.type_id, _c.c.holder_id, _c.c.cycles,
           _c.c.batch_id, _c.c.lend_entry_id, _c.c.deposit_held_cents, _c.c.reject_reason,
           _c.c.created_at, _c.c.last_event_at, _c.c.lent_at,
           _t.c.code.label("type_code"), _t.c.name.label("type_name"), _t.c.family,
           func.coalesce(_td.c.deposit_cents, _t.c.deposit_cents).label("deposit_cents"),
           _h.c.code.label("holder_code"), _h.c.name.label("holder_name"),
           _h.c.kind.label("holder_kind"), Label.detached_at.label("label_detached_at"),
           _c.c.territory_id, _h.c.territory_id.label("holder_territory_id"),
           _d.c.kind.label("entry_kind"), _d.c.amount_cents.label("entry_amount"),
           _d.c.org_id.label("entry_org_id"), _b.c.code.label("batch_code"),
           _o.c.code.label("owner_code"))
    .select_from(
        Label.__table__.join(_c, _c.c.id == Label.container_id)
        .join(_t, _t.c.id == _c.c.type_id).join(_h, _h.c.id == _c.c.holder_id)
        .join(_o, _o.c.id == _c.c.owner_id)
        .outerjoin(_td, (_td.c.type_id == _c.c.type_id)
                   & (_td.c.territory_id == _c.c.territory_id))
        .outerjoin(_d, _d.c.id == _c.c.lend_entry_id).outerjoin(_b, _b.c.id == _c.c.batch_id))
    .where(Label.code == bindparam("code"))
)


def _read_box(dialect: str):
    """READ and what the write compares (`write_move`): on SQLite the raw text of
    the row's timestamps (compared as stored, whatever wrote them); on PostgreSQL
    the row's version (`xmin`), with the event's and the ledger entry's ids drawn,
    so that the answer, which quotes them, is complete before the write."""
    if dialect == "sqlite":
        return READ.add_columns(
            type_coerce(_c.c.lent_at, String).label("raw_lent_at"),
            type_coerce(_c.c.last_event_at, String).label("raw_last_event_at"))
    return READ.add_columns(
        func.nextval(literal_column("'events_id_seq'")).label("next_event_id"),
        literal_column("CAST(containers.xmin AS TEXT)").label("row_version"),
        func.nextval(literal_column("'deposit_entries_id_seq'")).label("next_entry_id"))


READ_BOX = {name: _read_box(name) for name in ("sqlite", "postgresql")}
READ_BOX_RUN = {name: DriverStatement(statement) for name, statement in READ_BOX.items()}
NEXT_ENTRY_ID = DriverStatement(
    select(func.nextval(literal_column("'deposit_entries_id_seq'")).label("id")))
LAST_EVENT = select(func.max(Event.occurred_at)).where(Event.container_id == bindparam("id"))


def timestamps(statement: str):
    """`text(statement)` with its timestamps bound as UTCDateTime."""
    names = [name for name in ("occurred_at", "recorded_at", "updated_at", "lent_at",
                               "last_event_at") if f":{name}" in statement]
    return text(statement).bindparams(*[bindparam(name, type_=UTCDateTime()) for name in names])


_EVENT_VALUES = """
  (id, action, code, container_id, type_id, org_id, user_id, from_holder_id, holder_id,
   from_state, to_state, quantity, quantity_delta, reason, anomaly, batch_id,
   idempotency_key, territory_id, occurred_at, recorded_at, detail)
  VALUES (:id, :action, :code, :container_id, :type_id, :org_id, :user_id, :from_holder_id,
          :holder_id, :from_state, :to_state, 1, 0, :reason, :anomaly, :batch_id,
          :idempotency_key, :territory_id, :occurred_at, :recorded_at, :detail)"""
_PROJECTION = """
  state = :state, holder_id = :holder_id, batch_id = :item_batch_id, lent_at = :lent_at,
  reject_reason = :reject_reason, updated_at = :updated_at,
  deposit_held_cents = :deposit_held_cents, last_event_at = :last_event_at"""
# An event's `detail` (an automatic loss's, `lost_boxes`): SQL NULL when there is none.
DETAIL = bindparam("detail", type_=JSON(none_as_null=True))
INSERT_EVENT = DriverStatement(timestamps("INSERT INTO events" + _EVENT_VALUES + " RETURNING id")
                               .bindparams(DETAIL))
INSERT_ENTRY = DriverStatement(timestamps("""
INSERT INTO deposit_entries (kind, org_id, amount_cents, lend_entry_id, container_id,
                             event_id, territory_id, occurred_at, recorded_at)
VALUES (:kind, :org_id, :amount_cents, :lend_entry_id, :container_id, :event_id,
        :territory_id, :occurred_at, :recorded_at)
RETURNING id"""))
UPDATE_SQL = ("UPDATE containers SET" + _PROJECTION + ", lend_entry_id = :lend_entry_id"
              " WHERE id = :container_id")
ADD_INPUTS = (update(_b).where(_b.c.id == bindparam("row_id"))
              .values(inputs=_b.c.inputs + bindparam("n")))
# The counter's scans (`counter`): decided on what SNAPSHOT reads, written
# only if the container is unchanged (compare-and-set).
_KEYS = IdempotentResponse.__table__


def _snapshot_statement(dialect: str):
    """The token's actor and, if a container has the label, the container as
    `READ_BOX` reads it, with the key's stored status if any. No valid token, no row."""
    actor = TOKEN_ACTOR.cte("actor")
    key_status = select(_KEYS.c.status).where(_KEYS.c.key == bindparam("key")) \
        .scalar_subquery().label("key_status")
    box = READ_BOX[dialect].add_columns(key_status).subquery("box")
    return select(*token_actor_columns(actor), box).select_from(actor.outerjoin(box, true()))


SNAPSHOT = {name: DriverStatement(_snapshot_statement(name)) for name in ("sqlite", "postgresql")}
# SQLite's compare-and-set: every column `plan_move` reads of the container row
# (the joined rows are fixed by these ids), with the SNAPSHOT column that holds
# its value as read (`counter._unchanged` binds it as `was_<column>`); the
# timestamps compared as stored text. Equal values are enough there: the write
# lock makes id order the order of writes.
COMPARED = (
    ("state", "state"), ("holder_id", "holder_id"), ("cycles", "cycles"),
    ("batch_id", "batch_id"), ("lend_entry_id", "lend_entry_id"),
    ("deposit_held_cents", "deposit_held_cents"), ("lent_at", "raw_lent_at"),
    ("last_event_at", "raw_last_event_at"),
)
UPDATE_IF_UNCHANGED = DriverStatement(timestamps(UPDATE_SQL + "".join(
    f" AND {column} IS :was_{column}" for column, _read_as in COMPARED)))
STORE_ANSWER = DriverStatement(
    sqlite.insert(_KEYS).values(
        key=bindparam("key"), org_id=bindparam("org_id"), status=201,
        body=bindparam("body", type_=_KEYS.c.body.type),
        created_at=bindparam("now", type_=UTCDateTime()))
    .on_conflict_do_nothing(index_elements=["key"]))
# PostgreSQL: the whole write in one statement (atomic by itself): the projection
# as a compare-and-set on the row's version and, only if it changed the row, the
# event, its ledger entries (a second one closes the first: a lost box returned)
# and, for the counter, the stored answer. The version, not the values: the
# event's id was drawn with the read, so the write must be the row's next move,
# and a move that leaves every value as it was (a second collect, dated earlier)
# still makes a new version. A key stored meanwhile fails the statement on the
# key's unique index, and nothing of it is kept.
_ENTRY_COLUMNS = ("(id, kind, org_id, amount_cents, lend_entry_id, container_id, event_id,"
                  " territory_id, occurred_at, recorded_at)")
WRITE_IF_UNCHANGED_PG = DriverStatement(timestamps("""
WITH moved AS (""" + UPDATE_SQL + """ AND xmin = CAST(:row_version AS xid)
  RETURNING id),
ev AS (
  INSERT INTO events (id, action, code, container_id, type_id, org_id, user_id,
                      from_holder_id, holder_id, from_state, to_state, quantity,
                      quantity_delta, reason, anomaly, batch_id, idempotency_key,
                      territory_id, occurred_at, recorded_at, detail)
  SELECT CAST(:id AS INTEGER), CAST(:action AS VARCHAR), CAST(:code AS VARCHAR), moved.id,
         CAST(:type_id AS INTEGER), CAST(:org_id AS INTEGER), CAST(:user_id AS INTEGER),
         CAST(:from_holder_id AS INTEGER), CAST(:holder_id AS INTEGER),
         CAST(:from_state AS VARCHAR), CAST(:to_state AS VARCHAR), 1, 0,
         CAST(:reason AS VARCHAR), CAST(:anomaly AS VARCHAR), CAST(:batch_id AS INTEGER),
         CAST(:idempotency_key AS VARCHAR), CAST(:territory_id AS INTEGER), :occurred_at,
         :recorded_at, :detail
  FROM moved),
entry AS (
  INSERT INTO deposit_entries """ + _ENTRY_COLUMNS + """
  SELECT CAST(:entry_id AS INTEGER), CAST(:entry_kind AS VARCHAR),
         CAST(:entry_org_id AS INTEGER), CAST(:entry_amount AS INTEGER),
         CAST(:entry_lend_id AS INTEGER), moved.id, CAST(:id AS INTEGER),
         CAST(:territory_id AS INTEGER), :occurred_at, :recorded_at
  FROM moved WHERE CAST(:entry_id AS INTEGER) IS NOT NULL
  UNION ALL
  SELECT CAST(:entry2_id AS INTEGER), CAST(:entry2_kind AS VARCHAR),
         CAST(:entry2_org_id AS INTEGER), CAST(:entry2_amount AS INTEGER),
         CAST(:entry_id AS INTEGER), moved.id, CAST(:id AS INTEGER),
         CAST(:territory_id AS INTEGER), :occurred_at, :recorded_at
  FROM moved WHERE CAST(:entry2_id AS INTEGER) IS NOT NULL),
answer AS (
  INSERT INTO idempotent_responses (key, org_id, status, body, created_at)
  SELECT CAST(:answer_key AS VARCHAR), CAST(:org_id AS INTEGER), 201, :answer, :recorded_at
  FROM moved WHERE CAST(:answer_key AS VARCHAR) IS NOT NULL)
SELECT count(*) AS moved FROM moved""").bindparams(bindparam("answer", type_=JSON()), DETAIL))
