"""Merge the branches written side by side (loans, bottle requests, admin, scale indexes).

Revision ID: 0006_merge_heads
Revises: 0002_loans, 0003_bottle_requests, 0004_admin, 0005_scale_indexes
"""

from collections.abc import Sequence

revision: str = "0006_merge_heads"
down_revision: str | Sequence[str] | None = (
    "0002_loans", "0003_bottle_requests", "0004_admin", "0005_scale_indexes",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
