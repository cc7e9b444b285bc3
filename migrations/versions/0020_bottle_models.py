"""(being written)

Revision ID: 0020_bottle_models
Revises: 0019_notifications_money
"""

from collections.abc import Sequence

revision: str = "0020_bottle_models"
down_revision: str | Sequence[str] | None = "0019_notifications_money"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
