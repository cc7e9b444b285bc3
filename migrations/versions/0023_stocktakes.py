"""Stock counts: `stocktakes` (a site's stock of a type counted against the record,
dated, with its figures) and `stocktake_lines` (each code that differed: missing or
unexpected, and what became of it). The count's anomaly (`found_in_count`) is a
vocabulary code; the events' `anomaly` column has no check constraint to widen.

Revision ID: 0023_stocktakes
Revises: 0022_ownership
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_stocktakes"
down_revision: str | Sequence[str] | None = "0022_ownership"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stocktakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("counted_by_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("unexpected", sa.Integer(), nullable=False),
        sa.Column("expected_quantity", sa.Integer(), nullable=False),
        sa.Column("counted_quantity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('to_review', 'closed')", name=op.f("ck_stocktakes_status")),
        sa.CheckConstraint("expected >= 0 AND found >= 0 AND missing >= 0 AND unexpected >= 0",
                           name=op.f("ck_stocktakes_counts_non_negative")),
        sa.CheckConstraint("found <= expected", name=op.f("ck_stocktakes_found_within_expected")),
        sa.CheckConstraint("counted_quantity IS NULL OR counted_quantity >= 0",
                           name=op.f("ck_stocktakes_quantity_non_negative")),
        sa.ForeignKeyConstraint(["site_id"], ["organisations.id"],
                                name=op.f("fk_stocktakes_site_id_organisations")),
        sa.ForeignKeyConstraint(["type_id"], ["container_types.id"],
                                name=op.f("fk_stocktakes_type_id_container_types")),
        sa.ForeignKeyConstraint(["counted_by_id"], ["users.id"],
                                name=op.f("fk_stocktakes_counted_by_id_users")),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_stocktakes_org_id_organisations")),
        sa.ForeignKeyConstraint(["territory_id"], ["territories.id"],
                                name=op.f("fk_stocktakes_territory_id_territories")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktakes")),
    )
    op.create_index("ix_stocktakes_site_time", "stocktakes", ["site_id", "counted_at"])
    op.create_index("ix_stocktakes_territory_time", "stocktakes", ["territory_id", "counted_at"])
    op.create_table(
        "stocktake_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stocktake_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("container_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("resolved", sa.String(length=16), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("outcome IN ('missing', 'unexpected')",
                           name=op.f("ck_stocktake_lines_outcome")),
        sa.CheckConstraint("resolved IS NULL OR resolved IN ('declared_lost', 'moved', 'left')",
                           name=op.f("ck_stocktake_lines_resolved")),
        sa.ForeignKeyConstraint(["stocktake_id"], ["stocktakes.id"],
                                name=op.f("fk_stocktake_lines_stocktake_id_stocktakes")),
        sa.ForeignKeyConstraint(["container_id"], ["containers.id"],
                                name=op.f("fk_stocktake_lines_container_id_containers")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_stocktake_lines_event_id_events")),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["users.id"],
                                name=op.f("fk_stocktake_lines_resolved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake_lines")),
        sa.UniqueConstraint("stocktake_id", "code", name=op.f("uq_stocktake_lines_stocktake_id")),
    )
    op.create_index("ix_stocktake_lines_open", "stocktake_lines",
                    ["stocktake_id", "outcome", "resolved"])


def downgrade() -> None:
    op.drop_index("ix_stocktake_lines_open", table_name="stocktake_lines")
    op.drop_table("stocktake_lines")
    op.drop_index("ix_stocktakes_territory_time", table_name="stocktakes")
    op.drop_index("ix_stocktakes_site_time", table_name="stocktakes")
    op.drop_table("stocktakes")
