"""Winegrowers' requests to washing sites for clean bottles.

Revision ID: 0003_bottle_requests
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_bottle_requests"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bottle_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("fulfilled_at", sa.DateTime(), nullable=True),
        sa.Column("fulfilled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'fulfilled', 'cancelled')",
                           name=op.f("ck_bottle_requests_status")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_bottle_requests_quantity_positive")),
        sa.CheckConstraint("delivered >= 0",
                           name=op.f("ck_bottle_requests_delivered_non_negative")),
        sa.CheckConstraint("reserved >= 0 AND reserved <= quantity",
                           name=op.f("ck_bottle_requests_reserved_bounds")),
        sa.CheckConstraint("status = 'open' OR reserved = 0",
                           name=op.f("ck_bottle_requests_closed_holds_nothing")),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_bottle_requests_org_id_organisations")),
        sa.ForeignKeyConstraint(["site_id"], ["organisations.id"],
                                name=op.f("fk_bottle_requests_site_id_organisations")),
        sa.ForeignKeyConstraint(["type_id"], ["container_types.id"],
                                name=op.f("fk_bottle_requests_type_id_container_types")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_bottle_requests_created_by_id_users")),
        sa.ForeignKeyConstraint(["fulfilled_by_id"], ["users.id"],
                                name=op.f("fk_bottle_requests_fulfilled_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bottle_requests")),
    )
    with op.batch_alter_table("bottle_requests", schema=None) as batch_op:
        batch_op.create_index("ix_bottle_requests_site_status",
                              ["site_id", "status", "type_id"], unique=False)
        batch_op.create_index("ix_bottle_requests_org_status", ["org_id", "status"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bottle_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_bottle_requests_org_status")
        batch_op.drop_index("ix_bottle_requests_site_status")
    op.drop_table("bottle_requests")
