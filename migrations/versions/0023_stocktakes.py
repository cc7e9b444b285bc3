"""(being written)

Revision ID: 0023_stocktakes
Revises: 0022_ownership
"""

from collections.abc import Sequence

revision: str = "0023_stocktakes"
down_revision: str | Sequence[str] | None = "0022_ownership"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
