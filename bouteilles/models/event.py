"""The append-only log of physical movements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import ACTIONS, STATES
from .base import Base, UTCDateTime, sql_in, utcnow
from .organisation import Organisation

# Events that bring a thing to a new holder. The washing site's receipts and a
# winegrower's deliveries read them by holder; the lends and returns of the hot
# path are not in this index (0009). Queries repeat this text as it is: SQLite
# only uses a partial index whose predicate it finds written in the query.
ARRIVALS = "events.action IN ('collect', 'commission', 'deliver')"

# Ownership transfers; written out in queries as it is, for SQLite's partial index.
TRANSFERS = "action = 'transfer'"


def partial_index(name: str, *columns: str, where: str) -> Index:
    """An index of the rows matching `where`, on SQLite and PostgreSQL alike."""
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


class Event(Base):
    """One movement; never updated or deleted (database triggers refuse it)."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(sql_in("action", ACTIONS), name="action"),
        CheckConstraint(
            "(container_id IS NULL) <> (crate_id IS NULL)", name="exactly_one_item"
        ),
        CheckConstraint(
            "from_state IS NULL OR " + sql_in("from_state", STATES), name="from_state"
        ),
        CheckConstraint(sql_in("to_state", STATES), name="to_state"),
        # Partial (0008): an event is of a container or of a crate, and seldom of a
        # batch; NULL entries cost a page write per scan and were never read.
        partial_index("ix_events_container_time", "container_id", "occurred_at",
                      where="container_id IS NOT NULL"),
        partial_index("ix_events_crate_time", "crate_id", "occurred_at",
                      where="crate_id IS NOT NULL"),
        Index("ix_events_org_time", "org_id", "occurred_at"),
        Index("ix_events_occurred_at", "occurred_at"),
        # A territory's counts of an action over a range, read from the index alone
        # (0018): its monthly lends, returns, losses and commissions.
        Index("ix_events_territory_action_time", "territory_id", "action", "occurred_at",
              "recorded_at", "quantity", postgresql_include=["id"]),
        partial_index("ix_events_batch", "batch_id", where="batch_id IS NOT NULL"),
        partial_index("ix_events_holder_arrivals", "holder_id", "occurred_at",
                      where=ARRIVALS.removeprefix("events.")),
        # Partial indexes for the coordinator's anomaly and recount lists (0005).
        partial_index("ix_events_anomaly_recent", "occurred_at", "id",
                      where="anomaly IS NOT NULL"),
        partial_index("ix_events_recount", "occurred_at", "id", where="quantity_delta <> 0"),
        partial_index("ix_events_undoes", "undoes_id", where="undoes_id IS NOT NULL"),
        # The few ownership transfers, by object (0022): the owner an object had
        # before its first one (the EPCIS export's commissioning).
        partial_index("ix_events_transfers", "container_id", "crate_id", "id",
                      where=TRANSFERS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("containers.id"))
    crate_id: Mapped[int | None] = mapped_column(ForeignKey("crates.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_holder_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(default=1)
    quantity_delta: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(String(32))
    anomaly: Mapped[str | None] = mapped_column(String(32))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict | None] = mapped_column(JSON)
    # An undo: the event it undoes (the item's latest before it).
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    # Partition key (models/territory.py): where it was recorded.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Organisation] = relationship(foreign_keys=[org_id], lazy="joined")
    holder: Mapped[Organisation] = relationship(foreign_keys=[holder_id], lazy="joined")
    from_holder: Mapped[Organisation | None] = relationship(foreign_keys=[from_holder_id])


class IdempotentResponse(Base):
    """The answer given to a scan, replayed as-is when the same key comes again."""

    __tablename__ = "idempotent_responses"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[int]
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
