"""Undo, relabel and counted returns: two actions, three ledger kinds, two tables.

- events: the actions `undo` and `relabel`, and `undoes_id` (the event an undo
  undoes), indexed where set;
- deposit_entries: the kinds `cancelled`, `reclaimed` and `reopened` (what an
  undone lend or return writes in the ledger);
- counted_returns: boxes a restaurant took back and refunded without scanning,
  matched to those boxes when they are scanned later.

A CHECK constraint listing more values accepts every row the old one did. On
SQLite such a change is the documented in-place edit of the table's schema text
(sqlite.org/lang_altertable.html, "making other kinds of table schema
changes"): the tables of the log keep their rows, triggers and indexes.

Revision ID: 0013_undo_relabel_counted
Revises: 0012_login_sessions
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_undo_relabel_counted"
down_revision: str | Sequence[str] | None = "0012_login_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = ("commission", "deliver", "lend", "fill", "return", "collect", "sort", "wash",
           "batch_close", "reject", "lose", "find")
NEW_ACTIONS = ("undo", "relabel")
KINDS = ("taken", "refunded", "forfeited", "reinstated")
NEW_KINDS = ("cancelled", "reclaimed", "reopened")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _widen(table: str, name: str, column: str, old: Sequence[str], new: Sequence[str]) -> None:
    """Make the check constraint `name` on `table.column` list `new` instead of `old`."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, _in(column, new))
        return
    before, after = _in(column, old), _in(column, new)
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    if before not in sql:
        raise RuntimeError(f"{table}: constraint {name} not found as {before!r}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql.replace(before, after), table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _widen("events", "ck_events_action", "action", ACTIONS, ACTIONS + NEW_ACTIONS)
    _widen("deposit_entries", "ck_deposit_entries_kind", "kind", KINDS, KINDS + NEW_KINDS)
    if op.get_bind().dialect.name == "sqlite":  # a column may bring its reference
        op.execute("ALTER TABLE events ADD COLUMN undoes_id INTEGER "
                   "CONSTRAINT fk_events_undoes_id_events REFERENCES events (id)")
    else:
        op.add_column("events", sa.Column("undoes_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_events_undoes_id_events"), "events", "events",
                              ["undoes_id"], ["id"])
    # The few undos, by the event they undo (the EPCIS export's join; and SQLite's
    # check of the reference when an event row would go, which the triggers refuse
    # anyway, would otherwise read the whole log).
    op.create_index("ix_events_undoes", "events", ["undoes_id"],
                    sqlite_where=sa.text("undoes_id IS NOT NULL"),
                    postgresql_where=sa.text("undoes_id IS NOT NULL"))
    op.create_table(
        "counted_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("deposit_cents", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("count > 0", name=op.f("ck_counted_returns_count_positive")),
        sa.CheckConstraint("matched >= 0 AND matched <= count",
                           name=op.f("ck_counted_returns_matched_within_count")),
        sa.CheckConstraint("deposit_cents >= 0",
                           name=op.f("ck_counted_returns_deposit_non_negative")),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_counted_returns_org_id_organisations")),
        sa.ForeignKeyConstraint(["type_id"], ["container_types.id"],
                                name=op.f("fk_counted_returns_type_id_container_types")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_counted_returns_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counted_returns")),
    )
    op.create_index("ix_counted_returns_open", "counted_returns",
                    ["type_id", "occurred_at"], sqlite_where=sa.text("matched < count"),
                    postgresql_where=sa.text("matched < count"))
    op.create_index("ix_counted_returns_org_time", "counted_returns",
                    ["org_id", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_counted_returns_org_time", table_name="counted_returns")
    op.drop_index("ix_counted_returns_open", table_name="counted_returns")
    op.drop_table("counted_returns")
    op.drop_index("ix_events_undoes", table_name="events")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE events DROP COLUMN undoes_id")
    else:
        op.drop_constraint(op.f("fk_events_undoes_id_events"), "events", type_="foreignkey")
        op.drop_column("events", "undoes_id")
    _widen("deposit_entries", "ck_deposit_entries_kind", "kind", KINDS + NEW_KINDS, KINDS)
    _widen("events", "ck_events_action", "action", ACTIONS + NEW_ACTIONS, ACTIONS)
