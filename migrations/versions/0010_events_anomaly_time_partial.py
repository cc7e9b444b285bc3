"""Index (anomaly, occurred_at) only for flagged events.

The anomaly pages filter `anomaly IS NOT NULL` (and maybe one kind of anomaly)
over a period; the index held every event, nearly all of them unflagged, and
every lend and return wrote to it. Partial, it holds the few flagged events:
one index write less per scan, and the same plans for the pages
(tests/services/test_query_plans.py).

Revision ID: 0010_events_anomaly_time_partial
Revises: 0009_events_holder_arrivals
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_events_anomaly_time_partial"
down_revision: str | Sequence[str] | None = "0009_events_holder_arrivals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGGED = sa.text("anomaly IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_events_anomaly_time", table_name="events")
    op.create_index("ix_events_anomaly_time", "events", ["anomaly", "occurred_at"],
                    sqlite_where=FLAGGED, postgresql_where=FLAGGED)


def downgrade() -> None:
    op.drop_index("ix_events_anomaly_time", table_name="events")
    op.create_index("ix_events_anomaly_time", "events", ["anomaly", "occurred_at"])
