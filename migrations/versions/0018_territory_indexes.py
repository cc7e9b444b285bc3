"""Index the log and the ledger by territory: a territory's figures read its own rows.

A territory's monthly impact (`GET /api/v1/impact?territory=<code>`) counts the
lends, returns and losses its members recorded in the month, everything they
commissioned up to the month's end, and the deposits held at its end: with
only `ix_events_occurred_at` and no index of `deposit_entries` by time, each
read every event of the range (every event ever, for the commissions) and the
whole ledger, then kept the territory's: 4.3 s at 10^6 events on SQLite.

- `ix_events_territory_action_time` (territory, action, time, recorded time,
  quantity; PostgreSQL also carries the id, which the "not undone" test joins
  on, SQLite has it as the rowid): the counts of one territory are a range of
  it, read without the table (covering); SQLite also skip-scans it for the
  network's counts (a dozen territories).
- `ix_deposit_entries_territory_time` (territory, time, recorded time, kind,
  amount): a territory's deposits held at a date, from the index alone; the
  network's too, skip-scanned (SQLite), where reading the ledger's rows
  through a narrower index took 1.8 s at 10^7 events.

Revision ID: 0018_territory_indexes
Revises: 0017_territories
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_territory_indexes"
down_revision: str | Sequence[str] | None = "0017_territories"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_territory_action_time", "events",
                    ["territory_id", "action", "occurred_at", "recorded_at", "quantity"],
                    postgresql_include=["id"])
    op.create_index("ix_deposit_entries_territory_time", "deposit_entries",
                    ["territory_id", "occurred_at", "recorded_at", "kind", "amount_cents"])


def downgrade() -> None:
    op.drop_index("ix_deposit_entries_territory_time", table_name="deposit_entries")
    op.drop_index("ix_events_territory_action_time", table_name="events")
