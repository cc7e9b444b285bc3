"""Index the events that bring a thing to a new holder, by holder and time.

The washing site's receipts page and a winegrower's history read deliveries,
collections and commissionings by holder; without an index on `holder_id` both
read the whole log (0.5–0.7 s at 10^7 events, bench/slowest_queries.py). The
index is partial: lends and returns, the hot path, do not write to it.

Revision ID: 0009_events_holder_arrivals
Revises: 0008_events_partial_indexes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_events_holder_arrivals"
down_revision: str | Sequence[str] | None = "0008_events_partial_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARRIVALS = sa.text("action IN ('collect', 'commission', 'deliver')")


def upgrade() -> None:
    op.create_index("ix_events_holder_arrivals", "events", ["holder_id", "occurred_at"],
                    sqlite_where=ARRIVALS, postgresql_where=ARRIVALS)


def downgrade() -> None:
    op.drop_index("ix_events_holder_arrivals", table_name="events")
