"""(being written)

Revision ID: 0022_ownership
Revises: 0021_pallets_producers
"""

from collections.abc import Sequence

revision: str = "0022_ownership"
down_revision: str | Sequence[str] | None = "0021_pallets_producers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
