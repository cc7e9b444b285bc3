"""Initial schema: the whole model, append-only triggers and reference data.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:19:18.798802
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('container_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('family', sa.String(length=16), nullable=False),
    sa.Column('mass_g', sa.Integer(), nullable=False),
    sa.Column('volume_ml', sa.Integer(), nullable=True),
    sa.Column('deposit_cents', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("family IN ('bottle', 'box')", name=op.f('ck_container_types_family')),
    sa.CheckConstraint('deposit_cents >= 0', name=op.f('ck_container_types_deposit_non_negative')),
    sa.CheckConstraint('mass_g > 0', name=op.f('ck_container_types_mass_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_container_types')),
    sa.UniqueConstraint('code', name=op.f('uq_container_types_code'))
    )
    op.create_table('factor_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factor_sets')),
    sa.UniqueConstraint('code', name=op.f('uq_factor_sets_code'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('opening_hours', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('restaurant', 'winegrower', 'washing_site', 'collection_point', 'collector', 'event_organiser', 'coordinator')", name=op.f('ck_organisations_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('code', name=op.f('uq_organisations_code'))
    )
    op.create_table('factors',
    sa.Column('factor_set_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['factor_set_id'], ['factor_sets.id'], name=op.f('fk_factors_factor_set_id_factor_sets')),
    sa.PrimaryKeyConstraint('factor_set_id', 'key', name=op.f('pk_factors'))
    )
    op.create_table('idempotent_responses',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_idempotent_responses_org_id_organisations')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_idempotent_responses'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_users_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_org_id'), ['org_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('inputs', sa.Integer(), nullable=False),
    sa.Column('counted_inputs', sa.Integer(), nullable=False),
    sa.Column('clean', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('water_l', sa.String(length=40), nullable=True),
    sa.Column('electricity_kwh', sa.String(length=40), nullable=True),
    sa.Column('gas_kwh', sa.String(length=40), nullable=True),
    sa.Column('transport', sa.JSON(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('output_crate_id', sa.Integer(), nullable=True),
    sa.Column('factor_set_id', sa.Integer(), nullable=True),
    sa.Column('co2e_avoided_g', sa.Integer(), nullable=True),
    sa.Column('co2e_process_g', sa.Integer(), nullable=True),
    sa.Column('waste_avoided_g', sa.Integer(), nullable=True),
    sa.Column('to_recycling_g', sa.Integer(), nullable=True),
    sa.CheckConstraint("status = 'open' OR clean + rejected = inputs", name=op.f('ck_batches_closed_balances')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_batches_status')),
    sa.CheckConstraint('inputs >= 0 AND counted_inputs >= 0', name=op.f('ck_batches_inputs_non_negative')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_batches_closed_by_id_users')),
    sa.ForeignKeyConstraint(['factor_set_id'], ['factor_sets.id'], name=op.f('fk_batches_factor_set_id_factor_sets')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_batches_opened_by_id_users')),
    sa.ForeignKeyConstraint(['site_id'], ['organisations.id'], name=op.f('fk_batches_site_id_organisations')),
    sa.ForeignKeyConstraint(['type_id'], ['container_types.id'], name=op.f('fk_batches_type_id_container_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('code', name=op.f('uq_batches_code'))
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index('ix_batches_closed_at', ['closed_at'], unique=False)
        batch_op.create_index('ix_batches_site_status', ['site_id', 'status', 'type_id'], unique=False)

    op.create_table('batch_rejects',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint("reason IN ('broken', 'chipped', 'wrong_model', 'residue', 'other')", name=op.f('ck_batch_rejects_reason')),
    sa.CheckConstraint('count > 0', name=op.f('ck_batch_rejects_count_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_batch_rejects_batch_id_batches')),
    sa.PrimaryKeyConstraint('batch_id', 'reason', name=op.f('pk_batch_rejects'))
    )
    op.create_table('containers',
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('cycles', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('deposit_held_cents', sa.Integer(), nullable=False),
    sa.Column('lend_entry_id', sa.Integer(), nullable=True),
    sa.Column('lent_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reject_reason', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('last_event_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('clean', 'in_use', 'returned', 'collected', 'sorted', 'washing', 'rejected', 'lost')", name=op.f('ck_containers_state')),
    sa.CheckConstraint('cycles >= 0', name=op.f('ck_containers_cycles_non_negative')),
    sa.CheckConstraint('deposit_held_cents >= 0', name=op.f('ck_containers_deposit_non_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_containers_batch_id_batches')),
    sa.ForeignKeyConstraint(['holder_id'], ['organisations.id'], name=op.f('fk_containers_holder_id_organisations')),
    sa.ForeignKeyConstraint(['owner_id'], ['organisations.id'], name=op.f('fk_containers_owner_id_organisations')),
    sa.ForeignKeyConstraint(['type_id'], ['container_types.id'], name=op.f('fk_containers_type_id_container_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_containers')),
    sa.UniqueConstraint('code', name=op.f('uq_containers_code'))
    )
    with op.batch_alter_table('containers', schema=None) as batch_op:
        batch_op.create_index('ix_containers_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_containers_holder_state', ['holder_id', 'state', 'type_id'], unique=False)

    op.create_table('crates',
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reject_reason', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('last_event_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('clean', 'in_use', 'returned', 'collected', 'sorted', 'washing', 'rejected', 'lost')", name=op.f('ck_crates_state')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_crates_quantity_non_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_crates_batch_id_batches')),
    sa.ForeignKeyConstraint(['holder_id'], ['organisations.id'], name=op.f('fk_crates_holder_id_organisations')),
    sa.ForeignKeyConstraint(['owner_id'], ['organisations.id'], name=op.f('fk_crates_owner_id_organisations')),
    sa.ForeignKeyConstraint(['type_id'], ['container_types.id'], name=op.f('fk_crates_type_id_container_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crates')),
    sa.UniqueConstraint('code', name=op.f('uq_crates_code'))
    )
    with op.batch_alter_table('crates', schema=None) as batch_op:
        batch_op.create_index('ix_crates_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_crates_holder_state', ['holder_id', 'state', 'type_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('container_id', sa.Integer(), nullable=True),
    sa.Column('crate_id', sa.Integer(), nullable=True),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('from_holder_id', sa.Integer(), nullable=True),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('quantity_delta', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('anomaly', sa.String(length=32), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('commission', 'deliver', 'lend', 'fill', 'return', 'collect', 'sort', 'wash', 'batch_close', 'reject', 'lose', 'find')", name=op.f('ck_events_action')),
    sa.CheckConstraint("from_state IS NULL OR from_state IN ('clean', 'in_use', 'returned', 'collected', 'sorted', 'washing', 'rejected', 'lost')", name=op.f('ck_events_from_state')),
    sa.CheckConstraint("to_state IN ('clean', 'in_use', 'returned', 'collected', 'sorted', 'washing', 'rejected', 'lost')", name=op.f('ck_events_to_state')),
    sa.CheckConstraint('(container_id IS NULL) <> (crate_id IS NULL)', name=op.f('ck_events_exactly_one_item')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_events_batch_id_batches')),
    sa.ForeignKeyConstraint(['container_id'], ['containers.id'], name=op.f('fk_events_container_id_containers')),
    sa.ForeignKeyConstraint(['crate_id'], ['crates.id'], name=op.f('fk_events_crate_id_crates')),
    sa.ForeignKeyConstraint(['from_holder_id'], ['organisations.id'], name=op.f('fk_events_from_holder_id_organisations')),
    sa.ForeignKeyConstraint(['holder_id'], ['organisations.id'], name=op.f('fk_events_holder_id_organisations')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_events_org_id_organisations')),
    sa.ForeignKeyConstraint(['type_id'], ['container_types.id'], name=op.f('fk_events_type_id_container_types')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_events_container_time', ['container_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_events_crate_time', ['crate_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_events_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_events_org_time', ['org_id', 'occurred_at'], unique=False)

    op.create_table('labels',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('container_id', sa.Integer(), nullable=True),
    sa.Column('crate_id', sa.Integer(), nullable=True),
    sa.Column('type_id', sa.Integer(), nullable=True),
    sa.Column('attached_at', sa.DateTime(), nullable=False),
    sa.Column('detached_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('container_id IS NULL OR crate_id IS NULL', name=op.f('ck_labels_at_most_one_item')),
    sa.ForeignKeyConstraint(['type_id'], ['container_types.id'], name=op.f('fk_labels_type_id_container_types')),
    sa.ForeignKeyConstraint(['container_id'], ['containers.id'], name=op.f('fk_labels_container_id_containers')),
    sa.ForeignKeyConstraint(['crate_id'], ['crates.id'], name=op.f('fk_labels_crate_id_crates')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_labels'))
    )
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_labels_container_id'), ['container_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_labels_crate_id'), ['crate_id'], unique=False)

    op.create_table('deposit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('container_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('lend_entry_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'taken') = (lend_entry_id IS NULL)", name=op.f('ck_deposit_entries_closing_entries_name_the_lend')),
    sa.CheckConstraint("kind IN ('taken', 'refunded', 'forfeited', 'reinstated')", name=op.f('ck_deposit_entries_kind')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_deposit_entries_amount_positive')),
    sa.ForeignKeyConstraint(['container_id'], ['containers.id'], name=op.f('fk_deposit_entries_container_id_containers')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_deposit_entries_event_id_events')),
    sa.ForeignKeyConstraint(['lend_entry_id'], ['deposit_entries.id'], name=op.f('fk_deposit_entries_lend_entry_id_deposit_entries')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_deposit_entries_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit_entries')),
    sa.UniqueConstraint('lend_entry_id', name=op.f('uq_deposit_entries_lend_entry_id'))
    )
    with op.batch_alter_table('deposit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deposit_entries_container_id'), ['container_id'], unique=False)
        batch_op.create_index('ix_deposit_entries_org_time', ['org_id', 'occurred_at'], unique=False)
    install_append_only_triggers()
    insert_reference_data()


def downgrade() -> None:
    drop_append_only_triggers()
    with op.batch_alter_table('deposit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_deposit_entries_org_time')
        batch_op.drop_index(batch_op.f('ix_deposit_entries_container_id'))

    op.drop_table('deposit_entries')
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_labels_crate_id'))
        batch_op.drop_index(batch_op.f('ix_labels_container_id'))

    op.drop_table('labels')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_org_time')
        batch_op.drop_index('ix_events_occurred_at')
        batch_op.drop_index('ix_events_crate_time')
        batch_op.drop_index('ix_events_container_time')
        batch_op.drop_index('ix_events_batch')

    op.drop_table('events')
    with op.batch_alter_table('crates', schema=None) as batch_op:
        batch_op.drop_index('ix_crates_holder_state')
        batch_op.drop_index('ix_crates_batch')

    op.drop_table('crates')
    with op.batch_alter_table('containers', schema=None) as batch_op:
        batch_op.drop_index('ix_containers_holder_state')
        batch_op.drop_index('ix_containers_batch')

    op.drop_table('containers')
    op.drop_table('batch_rejects')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index('ix_batches_site_status')
        batch_op.drop_index('ix_batches_closed_at')

    op.drop_table('batches')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_org_id'))

    op.drop_table('users')
    op.drop_table('idempotent_responses')
    op.drop_table('factors')
    op.drop_table('organisations')
    op.drop_table('factor_sets')
    op.drop_table('container_types')


APPEND_ONLY_TABLES = ("events", "deposit_entries")


def install_append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on the event log and the ledger, in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'table % is append-only: record a correcting event instead', "
            "TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()"
            )
        return
    for table in APPEND_ONLY_TABLES:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: "
                "record a correcting event instead'); END"
            )


def drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION refuse_append_only_change()")
        return
    for table in APPEND_ONLY_TABLES:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_no_{verb}")


CONTAINER_TYPES = [
    # code, name, family, mass_g, volume_ml, deposit_cents
    ("bouteille-75", "Bouteille 75 cl (standard réemploi)", "bottle", 560, 750, 0),
    ("clavelin-62", "Clavelin du Jura 62 cl", "bottle", 500, 620, 0),
    ("bocal-500", "Boîte en verre Ju'Ramène 500 ml", "box", 300, 500, 500),
    ("bocal-750", "Boîte en verre Ju'Ramène 750 ml", "box", 400, 750, 500),
]

FACTORS_FR_2026_1 = [
    ("ef_glass", "0.70", "kg CO2e / kg verre neuf",
     "Plage 0,56-0,86 dans les sources (ADEME Base Impacts ; chiffres ADEME cités par Oé : "
     "474 g CO2e pour une bouteille de 550 g) ; à remplacer par la fiche ADEME Base Empreinte"),
    ("e_wash_bottle", "35.49", "g CO2e / bouteille",
     "Hypothèse : 0,15 kWh gaz + 0,03 kWh électricité par bouteille (laveuse industrielle "
     "à 80 °C, 3 000-3 500 bouteilles/h) ; mesurer la laveuse et saisir par lot"),
    ("e_wash_box", "2.4", "g CO2e / boîte",
     "Hypothèse : 0,05 kWh électricité (lave-vaisselle professionnel)"),
    ("ef_elec", "48", "g CO2e / kWh",
     "Valeur réglementaire française (arrêté du 26 avril 2017) ; RTE : 32 g pour 2023"),
    ("ef_gas", "227", "g CO2e / kWh PCI",
     "ADEME Base Carbone, gaz naturel, mix moyen (à revérifier)"),
    ("ef_van_km", "269.45", "g CO2e / véhicule-km",
     "8,5 L/100 km (utilitaire léger, hypothèse) × 3,17 kg CO2e/L gazole (arrêté 2017)"),
    ("ef_truck_tkm", "105", "g CO2e / t-km", "ADEME Base Carbone, porteur 26-32 t"),
    ("e_su_box", "50", "g CO2e / usage",
     "Barquette PP jetable de 25 g × 2,0 kg CO2e/kg PP (hypothèse)"),
    ("m_su_box", "25", "g / usage", "Même barquette jetable (hypothèse)"),
]


def insert_reference_data() -> None:
    """The four default container types and the default factor set fr-2026-1."""
    now = datetime(2026, 1, 1)
    types = sa.table(
        "container_types", sa.column("code"), sa.column("name"), sa.column("family"),
        sa.column("mass_g"), sa.column("volume_ml"), sa.column("deposit_cents"),
        sa.column("active"), sa.column("created_at"),
    )
    op.bulk_insert(types, [
        {"code": c, "name": n, "family": f, "mass_g": m, "volume_ml": v,
         "deposit_cents": d, "active": True, "created_at": now}
        for c, n, f, m, v, d in CONTAINER_TYPES
    ])
    sets = sa.table(
        "factor_sets", sa.column("code"), sa.column("name"),
        sa.column("valid_from"), sa.column("created_at"),
    )
    op.bulk_insert(sets, [{
        "code": "fr-2026-1", "name": "France 2026, version 1 (IMPACT.md)",
        "valid_from": datetime(2000, 1, 1), "created_at": now,
    }])
    set_id = op.get_bind().scalar(
        sa.text("SELECT id FROM factor_sets WHERE code = 'fr-2026-1'")
    )
    factors = sa.table(
        "factors", sa.column("factor_set_id"), sa.column("key"), sa.column("value"),
        sa.column("unit"), sa.column("source"),
    )
    op.bulk_insert(factors, [
        {"factor_set_id": set_id, "key": k, "value": v,
         "unit": u, "source": src}
        for k, v, u, src in FACTORS_FR_2026_1
    ])
