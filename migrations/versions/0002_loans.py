"""Event tableware loans: loans and their lines per container type.

Revision ID: 0002_loans
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_loans"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lender_id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("event_name", sa.String(length=200), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("lent_at", sa.DateTime(), nullable=False),
        sa.Column("lent_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_loans_status")),
        sa.CheckConstraint("lender_id <> borrower_id", name=op.f("ck_loans_two_parties")),
        sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)",
                           name=op.f("ck_loans_closed_at")),
        sa.ForeignKeyConstraint(["lender_id"], ["organisations.id"],
                                name=op.f("fk_loans_lender_id_organisations")),
        sa.ForeignKeyConstraint(["borrower_id"], ["organisations.id"],
                                name=op.f("fk_loans_borrower_id_organisations")),
        sa.ForeignKeyConstraint(["lent_by_id"], ["users.id"],
                                name=op.f("fk_loans_lent_by_id_users")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"],
                                name=op.f("fk_loans_closed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    op.create_index("ix_loans_lender_status", "loans", ["lender_id", "status"])
    op.create_index("ix_loans_borrower_status", "loans", ["borrower_id", "status"])
    op.create_table(
        "loan_lines",
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("lent", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("broken", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("deposit_cents", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.CheckConstraint("lent > 0", name=op.f("ck_loan_lines_lent_positive")),
        sa.CheckConstraint("returned >= 0 AND broken >= 0 AND missing >= 0",
                           name=op.f("ck_loan_lines_counts_non_negative")),
        sa.CheckConstraint("returned + broken + missing <= lent",
                           name=op.f("ck_loan_lines_at_most_lent")),
        sa.CheckConstraint("NOT closed OR returned + broken + missing = lent",
                           name=op.f("ck_loan_lines_closed_balances")),
        sa.CheckConstraint("deposit_cents >= 0", name=op.f("ck_loan_lines_deposit_non_negative")),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"],
                                name=op.f("fk_loan_lines_loan_id_loans")),
        sa.ForeignKeyConstraint(["type_id"], ["container_types.id"],
                                name=op.f("fk_loan_lines_type_id_container_types")),
        sa.PrimaryKeyConstraint("loan_id", "type_id", name=op.f("pk_loan_lines")),
    )


def downgrade() -> None:
    op.drop_table("loan_lines")
    op.drop_index("ix_loans_borrower_status", table_name="loans")
    op.drop_index("ix_loans_lender_status", table_name="loans")
    op.drop_table("loans")
