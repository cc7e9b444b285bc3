"""Bottle models: the registry `bottle_models`, and `container_types.model_id`.

A model is the physical bottle (name, mould reference, glass colour, volume, glass
mass, glassworks); a container type points to at most one (a box type to none).

Two models are seeded for the two bottle types of 0001, and those types point to
them. They are defaults to check: volume and glass mass are copied from the types
(560 g and 500 g, themselves estimates), the shape and the "feuille-morte" colour
are the usual ones for Jura wines, and the mould reference and the glassworks are
left empty: the coordination completes them from the glassworks' data sheet of the
bottles it really collects.

The reject reason `wrong_model` is in the reject reasons' CHECK constraints since
0001, so nothing else widens here.

Revision ID: 0020_bottle_models
Revises: 0019_notifications_money
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0020_bottle_models"
down_revision: str | Sequence[str] | None = "0019_notifications_money"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLOURS = ("extra_flint", "flint", "dead_leaf", "green", "antique_green", "amber", "other")
SEEDED = [
    # model code, name, colour, volume_ml, mass_g, the type it is the model of
    ("bourgogne-75-feuille-morte", "Bourgogne 75 cl", "dead_leaf", 750, 560, "bouteille-75"),
    ("clavelin-62-feuille-morte", "Clavelin 62 cl", "dead_leaf", 620, 500, "clavelin-62"),
]


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade() -> None:
    op.create_table(
        "bottle_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mould_ref", sa.String(length=100), nullable=True),
        sa.Column("colour", sa.String(length=32), nullable=False),
        sa.Column("volume_ml", sa.Integer(), nullable=False),
        sa.Column("mass_g", sa.Integer(), nullable=False),
        sa.Column("glassworks", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_in("colour", COLOURS), name=op.f("ck_bottle_models_colour")),
        sa.CheckConstraint("volume_ml > 0", name=op.f("ck_bottle_models_volume_positive")),
        sa.CheckConstraint("mass_g > 0", name=op.f("ck_bottle_models_mass_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bottle_models")),
        sa.UniqueConstraint("code", name=op.f("uq_bottle_models_code")),
    )
    if op.get_bind().dialect.name == "sqlite":  # a column may bring its reference
        op.execute("ALTER TABLE container_types ADD COLUMN model_id INTEGER CONSTRAINT "
                   "fk_container_types_model_id_bottle_models REFERENCES bottle_models (id)")
    else:
        op.add_column("container_types", sa.Column("model_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_container_types_model_id_bottle_models"),
                              "container_types", "bottle_models", ["model_id"], ["id"])
    _seed()


def _seed() -> None:
    """The default models, and the seeded bottle types pointing to them."""
    models = sa.table("bottle_models", sa.column("code"), sa.column("name"),
                      sa.column("colour"), sa.column("volume_ml"), sa.column("mass_g"),
                      sa.column("created_at"))
    now = datetime(2026, 12, 1)
    op.bulk_insert(models, [
        {"code": code, "name": name, "colour": colour, "volume_ml": volume, "mass_g": mass,
         "created_at": now} for code, name, colour, volume, mass, _type in SEEDED])
    for code, *_values, type_code in SEEDED:
        op.execute(sa.text(
            "UPDATE container_types SET model_id = "
            "(SELECT id FROM bottle_models WHERE code = :model) "
            "WHERE code = :type AND family = 'bottle'").bindparams(model=code, type=type_code))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE container_types DROP COLUMN model_id")
    else:
        op.drop_constraint(op.f("fk_container_types_model_id_bottle_models"),
                           "container_types", type_="foreignkey")
        op.drop_column("container_types", "model_id")
    op.drop_table("bottle_models")
