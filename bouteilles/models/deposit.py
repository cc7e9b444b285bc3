"""The deposit ledger, in integer cents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, sql_in, utcnow

# taken: paid by a customer at a lend; refunded: paid back at the return;
# forfeited: no longer owed (box declared lost, or it reached the washing chain
# without a return scan); reinstated: a forfeited deposit owed again (found).
# An undone move's entries are answered, never deleted: cancelled (a `taken` that
# never was: the lend is undone, the money given back), reclaimed (a refund taken
# back from the customer: the return is undone) with reopened (the lender's
# deposit held again, which the next refund closes; it moves no money).
ENTRY_KINDS = ("taken", "refunded", "forfeited", "reinstated", "cancelled", "reclaimed",
               "reopened")


class DepositEntry(Base):
    __tablename__ = "deposit_entries"
    __table_args__ = (
        CheckConstraint(sql_in("kind", ENTRY_KINDS), name="kind"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "(kind = 'taken') = (lend_entry_id IS NULL)", name="closing_entries_name_the_lend"
        ),
        Index("ix_deposit_entries_org_time", "org_id", "occurred_at"),
        # One member's refunds (in a month) and its lends: deposits.settlements.
        Index("ix_deposit_entries_org_kind_time", "org_id", "kind", "occurred_at"),
        # A territory's deposits held at a date, read from the index alone (0018).
        Index("ix_deposit_entries_territory_time", "territory_id", "occurred_at",
              "recorded_at", "kind", "amount_cents"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    container_id: Mapped[int] = mapped_column(ForeignKey("containers.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    amount_cents: Mapped[int]
    # For refunds and forfeits: the `taken` entry they close. Unique, so one lend's
    # deposit is closed once, whatever is replayed; reinstatements name the forfeit.
    lend_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("deposit_entries.id"), unique=True
    )
    # Partition key (models/territory.py): where the money moved.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CountedReturn(Base):
    """Boxes of one type a member took back and refunded without scanning them (the
    lunch rush): pending until the boxes are scanned later in the chain, where each
    is matched to it (`matched`) and refunded in the ledger as if scanned here."""

    __tablename__ = "counted_returns"
    __table_args__ = (
        CheckConstraint("count > 0", name="count_positive"),
        CheckConstraint("matched >= 0 AND matched <= count", name="matched_within_count"),
        CheckConstraint("deposit_cents >= 0", name="deposit_non_negative"),
        Index("ix_counted_returns_open", "type_id", "occurred_at",
              sqlite_where=text("matched < count"), postgresql_where=text("matched < count")),
        Index("ix_counted_returns_org_time", "org_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    count: Mapped[int]
    matched: Mapped[int] = mapped_column(default=0)
    deposit_cents: Mapped[int]  # refunded per box (the type's deposit when counted)
    note: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
