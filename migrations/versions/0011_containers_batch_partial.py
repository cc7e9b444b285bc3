"""Index containers by batch only while they are in one.

Only a batch close reads containers by batch (its washing boxes); the index
held every container, nearly all with no batch, and every lend and return,
whose UPDATE of the row cannot be HOT (`ix_containers_holder_state` holds the
state), wrote an entry to it. Partial, a scan outside the washing line writes
one index entry less; the close reads it as before.

Revision ID: 0011_containers_batch_partial
Revises: 0010_events_anomaly_time_partial
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_containers_batch_partial"
down_revision: str | Sequence[str] | None = "0010_events_anomaly_time_partial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_A_BATCH = sa.text("batch_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_containers_batch", table_name="containers")
    op.create_index("ix_containers_batch", "containers", ["batch_id"],
                    sqlite_where=IN_A_BATCH, postgresql_where=IN_A_BATCH)


def downgrade() -> None:
    op.drop_index("ix_containers_batch", table_name="containers")
    op.create_index("ix_containers_batch", "containers", ["batch_id"])
