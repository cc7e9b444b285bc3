"""Index events by container, crate and batch only where the column is set.

Every event names a container or a crate, never both, and few name a batch:
the full indexes held a NULL entry for every other event, one page write per
scan each for nothing (a lend wrote ~21 WAL pages on SQLite). Queries that use
them compare the column with a value or test `IS NOT NULL`, which both planners
match against the partial predicate (tests/services/test_query_plans.py).

Revision ID: 0008_events_partial_indexes
Revises: 0007_settlements_index
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_events_partial_indexes"
down_revision: str | Sequence[str] | None = "0007_settlements_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_events_container_time", ["container_id", "occurred_at"], "container_id"),
    ("ix_events_crate_time", ["crate_id", "occurred_at"], "crate_id"),
    ("ix_events_batch", ["batch_id"], "batch_id"),
)


def upgrade() -> None:
    for name, columns, column in INDEXES:
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, columns, _column in INDEXES:
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", columns)
