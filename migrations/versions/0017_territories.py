"""Territories, organisations' coordinates, and the partition key of the large tables.

- `territories` (code, name); `organisations.territory_id` (at most one),
  `organisations.latitude` / `longitude` (WGS 84 degrees, optional);
- `territory_deposits`: a territory's own deposit for a type, where it differs;
- `territory_id` on `events`, `deposit_entries`, `containers`, `crates`,
  `labels` and `batches` (what each means: `bouteilles/models/territory.py`),
  NULL for the rows written before: no organisation had a territory then.
  `flask territories assign` fills them when a member joins a territory.

Revision ID: 0017_territories
Revises: 0016_report_issuer_hours
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_territories"
down_revision: str | Sequence[str] | None = "0016_report_issuer_hours"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTITIONED = ("events", "deposit_entries", "containers", "crates", "labels", "batches")
COORDINATES = {
    "latitude": "latitude IS NULL OR (latitude BETWEEN -90 AND 90)",
    "longitude": "longitude IS NULL OR (longitude BETWEEN -180 AND 180)",
}


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "territories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("code", name=op.f("uq_territories_code")),
    )
    op.create_table(
        "territory_deposits",
        sa.Column("territory_id", sa.Integer(),
                  sa.ForeignKey("territories.id", name=op.f(
                      "fk_territory_deposits_territory_id_territories")), primary_key=True),
        sa.Column("type_id", sa.Integer(),
                  sa.ForeignKey("container_types.id", name=op.f(
                      "fk_territory_deposits_type_id_container_types")), primary_key=True),
        sa.Column("deposit_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("deposit_cents >= 0",
                           name=op.f("ck_territory_deposits_deposit_non_negative")),
    )
    # SQLite adds a column with its reference and its check in one ALTER TABLE;
    # PostgreSQL names them as the models do.
    for table in ("organisations", *PARTITIONED):
        if sqlite:
            op.execute(f"ALTER TABLE {table} ADD COLUMN territory_id INTEGER "
                       f"CONSTRAINT fk_{table}_territory_id_territories "
                       "REFERENCES territories (id)")
        else:
            op.add_column(table, sa.Column("territory_id", sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f"fk_{table}_territory_id_territories"), table,
                                  "territories", ["territory_id"], ["id"])
    for column, check in COORDINATES.items():
        if sqlite:
            op.execute(f"ALTER TABLE organisations ADD COLUMN {column} FLOAT "
                       f"CONSTRAINT ck_organisations_{column} CHECK ({check})")
        else:
            op.add_column("organisations", sa.Column(column, sa.Float(), nullable=True))
            op.create_check_constraint(op.f(f"ck_organisations_{column}"), "organisations",
                                       check)
    op.create_index("ix_organisations_territory", "organisations", ["territory_id"])
    op.create_index("ix_batches_territory_closed_at", "batches", ["territory_id", "closed_at"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_index("ix_batches_territory_closed_at", table_name="batches")
    op.drop_index("ix_organisations_territory", table_name="organisations")
    for column in COORDINATES:
        if not sqlite:
            op.drop_constraint(op.f(f"ck_organisations_{column}"), "organisations",
                               type_="check")
        op.drop_column("organisations", column)
    for table in ("organisations", *PARTITIONED):
        if sqlite:  # SQLite drops a column with its reference only through a copy
            with op.batch_alter_table(table) as batch:
                batch.drop_column("territory_id")
        else:
            op.drop_constraint(op.f(f"fk_{table}_territory_id_territories"), table,
                               type_="foreignkey")
            op.drop_column(table, "territory_id")
    op.drop_table("territory_deposits")
    op.drop_table("territories")
