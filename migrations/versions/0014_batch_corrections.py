"""Corrections of closed washing batches (batch_corrections, batch_correction_rejects).

Append-only, like the event log: the database refuses UPDATE and DELETE on both
tables (on PostgreSQL with the log's own trigger function, made in 0001).

Revision ID: 0014_batch_corrections
Revises: 0013_undo_relabel_counted
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_batch_corrections"
down_revision: str | Sequence[str] | None = "0013_undo_relabel_counted"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASONS = ("broken", "chipped", "wrong_model", "residue", "other")
TABLES = ("batch_corrections", "batch_correction_rejects")


def upgrade() -> None:
    op.create_table(
        "batch_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("clean_before", sa.Integer(), nullable=False),
        sa.Column("rejected_before", sa.Integer(), nullable=False),
        sa.Column("clean_after", sa.Integer(), nullable=False),
        sa.Column("rejected_after", sa.Integer(), nullable=False),
        sa.Column("mass_g", sa.Integer(), nullable=False),
        sa.Column("co2e_avoided_delta_g", sa.Integer(), nullable=False),
        sa.Column("co2e_process_delta_g", sa.Integer(), nullable=False),
        sa.Column("waste_avoided_delta_g", sa.Integer(), nullable=False),
        sa.Column("to_recycling_delta_g", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "clean_before >= 0 AND rejected_before >= 0 AND clean_after >= 0 "
            "AND rejected_after >= 0", name=op.f("ck_batch_corrections_counts_non_negative")),
        sa.CheckConstraint("clean_before + rejected_before = clean_after + rejected_after",
                           name=op.f("ck_batch_corrections_inputs_unchanged")),
        sa.CheckConstraint("mass_g > 0", name=op.f("ck_batch_corrections_mass_positive")),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"],
                                name=op.f("fk_batch_corrections_batch_id_batches")),
        sa.ForeignKeyConstraint(["made_by_id"], ["users.id"],
                                name=op.f("fk_batch_corrections_made_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_corrections")),
    )
    op.create_index("ix_batch_corrections_made_at", "batch_corrections", ["made_at"])
    op.create_index("ix_batch_corrections_batch_id", "batch_corrections", ["batch_id", "id"])
    op.create_table(
        "batch_correction_rejects",
        sa.Column("correction_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("count_before", sa.Integer(), nullable=False),
        sa.Column("count_after", sa.Integer(), nullable=False),
        sa.CheckConstraint("reason IN (" + ", ".join(f"'{r}'" for r in REASONS) + ")",
                           name=op.f("ck_batch_correction_rejects_reason")),
        sa.CheckConstraint("count_before >= 0 AND count_after >= 0 "
                           "AND count_before + count_after > 0",
                           name=op.f("ck_batch_correction_rejects_counts")),
        sa.ForeignKeyConstraint(
            ["correction_id"], ["batch_corrections.id"],
            name=op.f("fk_batch_correction_rejects_correction_id_batch_corrections")),
        sa.PrimaryKeyConstraint("correction_id", "reason",
                                name=op.f("pk_batch_correction_rejects")),
    )
    _append_only()


def _append_only() -> None:
    """Refuse UPDATE and DELETE on the corrections, in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()")
        return
    for table in TABLES:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: "
                       "record another correction instead'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    else:
        for table in TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{verb}")
    op.drop_table("batch_correction_rejects")
    op.drop_index("ix_batch_corrections_batch_id", table_name="batch_corrections")
    op.drop_index("ix_batch_corrections_made_at", table_name="batch_corrections")
    op.drop_table("batch_corrections")
