"""Who issues the impact report, hours worked on batches, factors' ranges and sources.

- `report_issuers`: one row (id 1), the cooperative that issues the monthly
  impact report: name, address, SIRET, logo (PNG or JPEG, ≤ 512 KiB).
- `batches.hours_worked`, `batches.insertion_hours`: hours worked on a batch,
  and of them those by people in an insertion programme (optional).
- `factors.low`, `factors.high`: the range of each factor, for the report's
  sensitivity; the default set `fr-2026-1` gets its ranges and a source for
  every factor (its values are unchanged, so no figure changes).

Revision ID: 0016_report_issuer_hours
Revises: 0015_organisation_gln
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_report_issuer_hours"
down_revision: str | Sequence[str] | None = "0015_organisation_gln"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# key: (low, high, source) of the default set fr-2026-1; values unchanged.
FR_2026_1 = {
    "ef_glass": ("0.56", "0.86",
                 "ADEME Base Empreinte, verre d'emballage neuf (fabrication, mix calcin moyen) ; "
                 "plage 0,56-0,86 dans les sources : ADEME Base Impacts et chiffres ADEME cités "
                 "par Oé (474 g CO2e pour une bouteille à usage unique de 550 g = 0,86)"),
    "e_wash_bottle": ("23.66", "47.32",
                      "Étude ADEME / Réseau Consigne 2023 sur le réemploi des bouteilles en "
                      "verre (laveuse industrielle à 80 °C, 3 000-3 500 bouteilles/h) : "
                      "0,15 kWh gaz + 0,03 kWh électricité par bouteille × ef_gas et ef_elec ; "
                      "plage : 0,10-0,20 kWh gaz et 0,02-0,04 kWh électricité. L'énergie "
                      "mesurée du lot remplace cette valeur quand elle est saisie"),
    "e_wash_box": ("1.44", "3.84",
                   "Lave-vaisselle professionnel à capot, fiches constructeurs : 0,03-0,08 kWh "
                   "électricité par contenant (valeur centrale 0,05) × ef_elec (48 g/kWh)"),
    "ef_elec": ("32", "60",
                "Valeur réglementaire française (arrêté du 26 avril 2017) ; plage : RTE Bilan "
                "électrique 2023 (32 g/kWh, production) à ADEME Base Empreinte, électricité "
                "France mix moyen consommation (≈ 60 g/kWh les années les plus carbonées)"),
    "ef_gas": ("205", "244",
               "ADEME Base Carbone / Base Empreinte, gaz naturel, mix moyen, kWh PCI, amont et "
               "combustion ; plage : combustion seule (205) à approvisionnement par GNL (244)"),
    "ef_van_km": ("221.9", "317",
                  "Utilitaire léger diesel : 8,5 L/100 km (plage 7-10 L/100 km, ADEME Base "
                  "Carbone, véhicules utilitaires légers) × 3,17 kg CO2e/L gazole (arrêté du "
                  "26 avril 2017, ADEME Base Carbone)"),
    "ef_truck_tkm": ("80", "130",
                     "ADEME Base Carbone, porteur 26-32 t, gazole, chargement moyen ; plage "
                     "selon le taux de chargement (ADEME, Information GES des prestations de "
                     "transport, 2018)"),
    "e_su_box": ("37.5", "75",
                 "Barquette PP jetable de 25 g × 2,0 kg CO2e/kg PP (ADEME Base Empreinte, "
                 "polypropylène mis en forme) ; plage 1,5-3,0 kg CO2e/kg PP selon la mise en "
                 "forme et la fin de vie"),
    "m_su_box": ("20", "35",
                 "Barquette PP jetable 500-750 ml avec couvercle : 25 g, plage 20-35 g "
                 "(fiches produit de fournisseurs de vente à emporter)"),
}


def upgrade() -> None:
    op.create_table(
        "report_issuers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_report_issuers_single_row")),
        sa.CheckConstraint("siret IS NULL OR length(siret) = 14",
                           name=op.f("ck_report_issuers_siret_length")),
        sa.CheckConstraint("(logo IS NULL) = (logo_type IS NULL)",
                           name=op.f("ck_report_issuers_logo_typed")),
        sa.CheckConstraint("logo_type IS NULL OR logo_type IN ('png', 'jpeg')",
                           name=op.f("ck_report_issuers_logo_type")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_report_issuers_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_issuers")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hours_worked", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("insertion_hours", sa.String(length=40), nullable=True))
    with op.batch_alter_table("factors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("low", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("high", sa.String(length=40), nullable=True))
    set_id = op.get_bind().scalar(sa.text("SELECT id FROM factor_sets WHERE code = 'fr-2026-1'"))
    if set_id is not None:
        for key, (low, high, source) in FR_2026_1.items():
            op.execute(sa.text("UPDATE factors SET low = :low, high = :high, source = :source "
                               "WHERE factor_set_id = :set_id AND key = :key")
                       .bindparams(low=low, high=high, source=source, set_id=set_id, key=key))


def downgrade() -> None:
    with op.batch_alter_table("factors", schema=None) as batch_op:
        batch_op.drop_column("high")
        batch_op.drop_column("low")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("insertion_hours")
        batch_op.drop_column("hours_worked")
    op.drop_table("report_issuers")
