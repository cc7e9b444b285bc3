"""Ownership transfers: the action `transfer` in the log.

A transfer changes a container's or a crate's owner (`owner_id`) and nothing
else; its event names the owners before and after in `detail`
(`{"from_owner": id, "owner": id}`), so no column is added to the log. The
few transfers are indexed by object (`ix_events_transfers`, partial: the scans
write nothing in it): the owner an object had before its first transfer is the
one its commissioning named (the EPCIS export).

The events' action CHECK constraint is widened in place as 0013 does (on
SQLite, the documented edit of the table's schema text: the log keeps its
rows, triggers and indexes).

Revision ID: 0022_ownership
Revises: 0021_pallets_producers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_ownership"
down_revision: str | Sequence[str] | None = "0021_pallets_producers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = ("commission", "deliver", "lend", "fill", "return", "collect", "sort", "wash",
           "batch_close", "reject", "lose", "find", "undo", "relabel")
NEW_ACTIONS = ("transfer",)


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


TRANSFERS = sa.text("action = 'transfer'")


def upgrade() -> None:
    _widen("events", "ck_events_action", "action", ACTIONS, ACTIONS + NEW_ACTIONS)
    op.create_index("ix_events_transfers", "events", ["container_id", "crate_id", "id"],
                    sqlite_where=TRANSFERS, postgresql_where=TRANSFERS)


def downgrade() -> None:
    op.drop_index("ix_events_transfers", table_name="events")
    _widen("events", "ck_events_action", "action", ACTIONS + NEW_ACTIONS, ACTIONS)
