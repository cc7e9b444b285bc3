"""Pallets filled at the washing site, and producers' labels that do not wash off.

- crates: `capacity` (a pallet's size; NULL for a plain crate), checked > 0,
  and `released_at` (when a pallet was released, full or early, with its label);
- the reject reason `label` (a label or its glue left on the bottle after
  washing) in the checks of batch_rejects and batch_correction_rejects;
- producer_label_flags: the coordination's "ne se lave pas" flags on a
  winegrower's labels, kept when cleared (who and when), at most one standing
  per producer (a partial unique index, which its pages read).

A CHECK constraint listing more values accepts every row the old one did; on
SQLite it is changed in place (as in 0013_undo_relabel_counted).

Revision ID: 0021_pallets_producers
Revises: 0020_bottle_models
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_pallets_producers"
down_revision: str | Sequence[str] | None = "0020_bottle_models"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASONS = ("broken", "chipped", "wrong_model", "residue", "other")
NEW_REASONS = ("label",)
REASON_CHECKS = (("batch_rejects", "ck_batch_rejects_reason"),
                 ("batch_correction_rejects", "ck_batch_correction_rejects_reason"))
STANDING = sa.text("cleared_at IS NULL")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _widen(table: str, name: str, column: str, old: Sequence[str], new: Sequence[str]) -> None:
    """Make the check constraint `name` on `table.column` list `new` instead of `old`."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, _in(column, new))
        return
    before, after = _in(column, old), _in(column, new)
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    if before not in sql:
        raise RuntimeError(f"{table}: constraint {name} not found as {before!r}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql.replace(before, after), table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _add_crate_columns() -> None:
    if op.get_bind().dialect.name == "sqlite":  # a column may bring its check
        op.execute("ALTER TABLE crates ADD COLUMN capacity INTEGER CONSTRAINT "
                   "ck_crates_capacity_positive CHECK (capacity IS NULL OR capacity > 0)")
    else:
        op.add_column("crates", sa.Column("capacity", sa.Integer(), nullable=True))
        op.create_check_constraint(op.f("ck_crates_capacity_positive"), "crates",
                                   "capacity IS NULL OR capacity > 0")
    op.add_column("crates", sa.Column("released_at", sa.DateTime(), nullable=True))


def upgrade() -> None:
    _add_crate_columns()
    for table, name in REASON_CHECKS:
        _widen(table, name, "reason", REASONS, REASONS + NEW_REASONS)
    op.create_table(
        "producer_label_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.Column("flagged_by_id", sa.Integer(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(cleared_at IS NULL) = (cleared_by_id IS NULL)",
                           name=op.f("ck_producer_label_flags_cleared")),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_producer_label_flags_org_id_organisations")),
        sa.ForeignKeyConstraint(["flagged_by_id"], ["users.id"],
                                name=op.f("fk_producer_label_flags_flagged_by_id_users")),
        sa.ForeignKeyConstraint(["cleared_by_id"], ["users.id"],
                                name=op.f("fk_producer_label_flags_cleared_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producer_label_flags")),
    )
    op.create_index("ix_producer_label_flags_standing", "producer_label_flags", ["org_id"],
                    unique=True, sqlite_where=STANDING, postgresql_where=STANDING)
    op.create_index("ix_producer_label_flags_org_time", "producer_label_flags",
                    ["org_id", "flagged_at"])


def downgrade() -> None:
    op.drop_index("ix_producer_label_flags_org_time", table_name="producer_label_flags")
    op.drop_index("ix_producer_label_flags_standing", table_name="producer_label_flags")
    op.drop_table("producer_label_flags")
    for table, name in REASON_CHECKS:
        _widen(table, name, "reason", REASONS + NEW_REASONS, REASONS)
    op.drop_column("crates", "released_at")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE crates DROP COLUMN capacity")
    else:
        op.drop_constraint(op.f("ck_crates_capacity_positive"), "crates", type_="check")
        op.drop_column("crates", "capacity")
