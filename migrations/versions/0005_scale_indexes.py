"""Indexes chosen from EXPLAIN on the report queries at 10^6-10^7 events.

- ix_events_anomaly_recent: the anomaly list reads flagged events newest first;
  with only (anomaly, occurred_at) the planners walked the whole occurred_at
  index and filtered (SQLite: `SCAN events USING INDEX ix_events_occurred_at`).
  A partial index of flagged events in time order serves both the page and its
  count from the few flagged rows.
- ix_events_recount: the recount list (crate scans whose count differed) read
  the whole log the same way; partial index of those few events, newest first
  (the query writes the literal `quantity_delta != 0` so the planners match it).

Revision ID: 0005_scale_indexes
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_scale_indexes"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGGED = sa.text("anomaly IS NOT NULL")
RECOUNTED = sa.text("quantity_delta <> 0")


def upgrade() -> None:
    op.create_index("ix_events_anomaly_recent", "events", ["occurred_at", "id"],
                    sqlite_where=FLAGGED, postgresql_where=FLAGGED)
    op.create_index("ix_events_recount", "events", ["occurred_at", "id"],
                    sqlite_where=RECOUNTED, postgresql_where=RECOUNTED)


def downgrade() -> None:
    op.drop_index("ix_events_recount", table_name="events")
    op.drop_index("ix_events_anomaly_recent", table_name="events")
