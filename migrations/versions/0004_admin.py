"""Coordinator pages: container type revisions, temporary passwords.

Revision ID: 0004_admin
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_admin"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "container_type_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("old_values", sa.JSON(), nullable=True),
        sa.Column("new_values", sa.JSON(), nullable=False),
        sa.CheckConstraint("action IN ('create', 'update')",
                           name=op.f("ck_container_type_revisions_action")),
        sa.ForeignKeyConstraint(["type_id"], ["container_types.id"],
                                name=op.f("fk_container_type_revisions_type_id_container_types")),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"],
                                name=op.f("fk_container_type_revisions_changed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_container_type_revisions")),
    )
    op.create_index("ix_container_type_revisions_type_time", "container_type_revisions",
                    ["type_id", "changed_at"])
    op.create_table(
        "temporary_passwords",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_temporary_passwords_user_id_users")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"],
                                name=op.f("fk_temporary_passwords_issued_by_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_temporary_passwords")),
    )
    # The anomaly list reads events flagged with an anomaly, newest first.
    op.create_index("ix_events_anomaly_time", "events", ["anomaly", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_events_anomaly_time", table_name="events")
    op.drop_table("temporary_passwords")
    op.drop_index("ix_container_type_revisions_type_time",
                  table_name="container_type_revisions")
    op.drop_table("container_type_revisions")
