"""Organisations' GS1 Global Location Number (optional): `organisations.gln`.

Thirteen digits, unique when set. The check digit is validated by the
application (forms, `flask orgs`); the database keeps the length.

Revision ID: 0015_organisation_gln
Revises: 0014_batch_corrections
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_organisation_gln"
down_revision: str | Sequence[str] | None = "0014_batch_corrections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "gln IS NULL OR length(gln) = 13"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # a column may bring its constraint
        op.execute("ALTER TABLE organisations ADD COLUMN gln VARCHAR(13) "
                   f"CONSTRAINT ck_organisations_gln_length CHECK ({CHECK})")
    else:
        op.add_column("organisations", sa.Column("gln", sa.String(length=13), nullable=True))
        op.create_check_constraint(op.f("ck_organisations_gln_length"), "organisations", CHECK)
    op.create_index("ix_organisations_gln", "organisations", ["gln"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_organisations_gln", table_name="organisations")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_organisations_gln_length"), "organisations", type_="check")
    op.drop_column("organisations", "gln")
