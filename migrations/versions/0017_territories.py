"""Territories, organisations' coordinates, and the partition key of the large tables.

- `territories` (code, name); `organisations.territory_id` (at most one),
  `organisations.latitude` / `longitude` (WGS 84 degrees, optional);
- `territory_deposits`: a territory's own deposit for a type, where it differs;
- `territory_id` on `events`, `deposit_entries`, `containers`, `crates`,
  `labels` and `batches` (what each means: `bouteilles/models/territory.py`),
  NULL for the rows written before: no organisation had a territory then.
  `flask territories assign` fills them when a member joins a territory.
- the log and the ledger stay append-only, with one exception: a row's empty
  `territory_id` may be filled, once. The triggers refusing UPDATE now refuse
  it unless it only fills that column: `<table>_no_update` (SQLite) and
  `<table>_append_only` (PostgreSQL) refuse an update of a row whose territory
  is set or that leaves it empty, and `<table>_only_territory` refuses an
  update that names any other column.

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


APPEND_ONLY_TABLES = ("events", "deposit_entries")
REFUSED = "record a correcting event instead"
FILLS_TERRITORY = "OLD.territory_id IS NULL AND NEW.territory_id IS NOT NULL"


def _other_columns(table: str) -> str:
    names = [c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)]
    return ", ".join(name for name in names if name != "territory_id")


def _only_territory_fill() -> None:
    """Let an update fill an empty territory, and nothing else, on the log and ledger."""
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()")
            op.execute(f"CREATE TRIGGER {table}_update_fills_territory BEFORE UPDATE ON "
                       f"{table} FOR EACH ROW WHEN (NOT ({FILLS_TERRITORY})) "
                       "EXECUTE FUNCTION refuse_append_only_change()")
            op.execute(f"CREATE TRIGGER {table}_only_territory BEFORE UPDATE OF "
                       f"{_other_columns(table)} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()")
        return
    for table in APPEND_ONLY_TABLES:
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                   f"WHEN NOT ({FILLS_TERRITORY}) "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {REFUSED}'); END")
        op.execute(f"CREATE TRIGGER {table}_only_territory BEFORE UPDATE OF "
                   f"{_other_columns(table)} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {REFUSED}'); END")


def _refuse_every_update() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER {table}_only_territory ON {table}")
            op.execute(f"DROP TRIGGER {table}_update_fills_territory ON {table}")
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()")
        return
    for table in APPEND_ONLY_TABLES:
        op.execute(f"DROP TRIGGER {table}_only_territory")
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {REFUSED}'); END")


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
    _only_territory_fill()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _refuse_every_update()
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
