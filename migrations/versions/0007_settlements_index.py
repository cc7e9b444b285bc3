"""Index the deposit ledger by member and kind, for one member's settlements.

`deposits.settlements(org_id=…)` reads the refunds this member made and the
refunds of the deposits it took, each through this index (its refunds in a
month; its lends, all time). Before, one `OR` across both sides of the join
hashed the whole ledger: 377 ms at 10^7 events on PostgreSQL (docs/scaling.md).

Revision ID: 0007_settlements_index
Revises: 0006_merge_heads
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_settlements_index"
down_revision: str | Sequence[str] | None = "0006_merge_heads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_deposit_entries_org_kind_time", "deposit_entries",
                    ["org_id", "kind", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_deposit_entries_org_kind_time", table_name="deposit_entries")
