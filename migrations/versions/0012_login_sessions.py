"""Logins the server can end (login_sessions) and failed attempts (login_failures).

Revision ID: 0012_login_sessions
Revises: 0011_containers_batch_partial
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_login_sessions"
down_revision: str | Sequence[str] | None = "0011_containers_batch_partial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_login_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    op.create_index("ix_login_sessions_user_ended", "login_sessions", ["user_id", "ended_at"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_scope_time", "login_failures", ["scope", "failed_at"])
    op.create_index("ix_login_failures_time", "login_failures", ["failed_at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_time", table_name="login_failures")
    op.drop_index("ix_login_failures_scope_time", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_login_sessions_user_ended", table_name="login_sessions")
    op.drop_table("login_sessions")
