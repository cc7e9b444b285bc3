"""(being written)

Revision ID: 0021_pallets_producers
Revises: 0020_bottle_models
"""

from collections.abc import Sequence

revision: str = "0021_pallets_producers"
down_revision: str | Sequence[str] | None = "0020_bottle_models"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
