"""Notifications, members' requests and settlements marked paid.

- `notifications`: each message `flask notify` sent, one per (user, kind, key),
  which is what keeps a second run from sending it again; it is also the
  in-app list of a user's last notifications.
- `notification_settings`: how often a user wants a kind (daily, weekly, off).
- `stock_thresholds`: below how many clean containers of a type a member is told.
- `pickup_requests`: "bac plein", open until a collection there closes it.
- `settlement_payments`: a month's netted settlement between two members
  marked paid (how, when, by whom); cancelled, never deleted.

Restaurants' orders of clean boxes are rows of `bottle_requests`, as the
winegrowers' orders of bottles are.

Revision ID: 0019_notifications_money
Revises: 0018_territory_indexes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_notifications_money"
down_revision: str | Sequence[str] | None = "0018_territory_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stock_thresholds',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('minimum', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('minimum > 0', name=op.f('ck_stock_thresholds_minimum_positive')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_stock_thresholds_org_id_organisations')),
    sa.ForeignKeyConstraint(['type_id'], ['container_types.id'], name=op.f('fk_stock_thresholds_type_id_container_types')),
    sa.PrimaryKeyConstraint('org_id', 'type_id', name=op.f('pk_stock_thresholds'))
    )
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('frequency', sa.String(length=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("frequency IN ('daily', 'weekly', 'off')", name=op.f('ck_notification_settings_frequency')),
    sa.CheckConstraint("kind IN ('overdue', 'lost', 'pickups', 'orders', 'low_stock', 'monthly_report')", name=op.f('ck_notification_settings_kind')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_settings'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('overdue', 'lost', 'pickups', 'orders', 'low_stock', 'monthly_report')", name=op.f('ck_notifications_kind')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_notifications_org_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index('ix_notifications_user_time', 'notifications', ['user_id', 'sent_at'], unique=False)
    op.create_index('uq_notifications_user_kind_key', 'notifications', ['user_id', 'kind', 'key'], unique=True)
    op.create_table('settlement_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('paid_on', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_org_id', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("method IN ('transfer', 'cheque', 'cash', 'offset', 'other')", name=op.f('ck_settlement_payments_method')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_settlement_payments_amount_positive')),
    sa.CheckConstraint('length(month) = 7', name=op.f('ck_settlement_payments_month_format')),
    sa.CheckConstraint('payer_id <> payee_id', name=op.f('ck_settlement_payments_two_parties')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_settlement_payments_cancelled_by_id_users')),
    sa.ForeignKeyConstraint(['payee_id'], ['organisations.id'], name=op.f('fk_settlement_payments_payee_id_organisations')),
    sa.ForeignKeyConstraint(['payer_id'], ['organisations.id'], name=op.f('fk_settlement_payments_payer_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_settlement_payments_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_org_id'], ['organisations.id'], name=op.f('fk_settlement_payments_recorded_by_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_payments'))
    )
    op.create_index('ix_settlement_payments_payee', 'settlement_payments', ['payee_id', 'month'], unique=False)
    op.create_index('ix_settlement_payments_payer', 'settlement_payments', ['payer_id', 'month'], unique=False)
    op.create_index('uq_settlement_payments_live', 'settlement_payments', ['month', 'payer_id', 'payee_id'], unique=True, sqlite_where=sa.text('cancelled_at IS NULL'), postgresql_where=sa.text('cancelled_at IS NULL'))
    op.create_table('pickup_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_org_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_event_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name=op.f('ck_pickup_requests_closed_at')),
    sa.CheckConstraint("status IN ('open', 'closed', 'cancelled')", name=op.f('ck_pickup_requests_status')),
    sa.ForeignKeyConstraint(['closed_by_event_id'], ['events.id'], name=op.f('fk_pickup_requests_closed_by_event_id_events')),
    sa.ForeignKeyConstraint(['closed_by_org_id'], ['organisations.id'], name=op.f('fk_pickup_requests_closed_by_org_id_organisations')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_pickup_requests_org_id_organisations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_pickup_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_requests'))
    )
    op.create_index('ix_pickup_requests_org_time', 'pickup_requests', ['org_id', 'requested_at'], unique=False)
    op.create_index('ix_pickup_requests_status_org', 'pickup_requests', ['status', 'org_id'], unique=False)


def downgrade() -> None:
    for table in ("pickup_requests", "settlement_payments", "notifications",
                  "notification_settings", "stock_thresholds"):
        op.drop_table(table)
