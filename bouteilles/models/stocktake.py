"""Stock counts (inventaire): a site's stock of one type counted against the record.

A count keeps its figures (expected, found, missing, unexpected) and one line per
code that differed from the record: missing (the record says the site holds it,
it was not counted) and unexpected (counted there, the record says otherwise).
Codes found where the record says are kept as a count only: they say nothing
the record does not.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, sql_in, utcnow
from .container_type import ContainerType
from .organisation import Organisation

STOCKTAKE_STATUSES = ("to_review", "closed")
LINE_OUTCOMES = ("missing", "unexpected")
# What became of a line: declared lost (missing), moved to the site (unexpected),
# left as the record shows it (the coordination's choice, or a move the life
# cycle refuses: a box with a customer, in a batch, lost, rejected).
LINE_RESOLUTIONS = ("declared_lost", "moved", "left")


class Stocktake(Base):
    """One count of a site's stock of a type, dated, with who counted."""

    __tablename__ = "stocktakes"
    __table_args__ = (
        CheckConstraint(sql_in("status", STOCKTAKE_STATUSES), name="status"),
        CheckConstraint("expected >= 0 AND found >= 0 AND missing >= 0 AND unexpected >= 0",
                        name="counts_non_negative"),
        CheckConstraint("found <= expected", name="found_within_expected"),
        CheckConstraint("counted_quantity IS NULL OR counted_quantity >= 0",
                        name="quantity_non_negative"),
        Index("ix_stocktakes_site_time", "site_id", "counted_at"),
        Index("ix_stocktakes_territory_time", "territory_id", "counted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"))
    # Who counted: the user and their organisation (the site, or its coordination).
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expected: Mapped[int]
    found: Mapped[int]
    missing: Mapped[int]
    unexpected: Mapped[int]
    # Unlabelled stock counted by number: the crates' quantities the record shows
    # at the site, and the number counted (None: not counted).
    expected_quantity: Mapped[int] = mapped_column(default=0)
    counted_quantity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default="to_review")
    # Partition key (models/territory.py): the site's territory.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id"))

    site: Mapped[Organisation] = relationship(foreign_keys=[site_id], lazy="joined")
    org: Mapped[Organisation] = relationship(foreign_keys=[org_id])
    type: Mapped[ContainerType] = relationship(lazy="joined")


class StocktakeLine(Base):
    """A code that differed from the record, and what became of it."""

    __tablename__ = "stocktake_lines"
    __table_args__ = (
        CheckConstraint(sql_in("outcome", LINE_OUTCOMES), name="outcome"),
        CheckConstraint("resolved IS NULL OR " + sql_in("resolved", LINE_RESOLUTIONS),
                        name="resolved"),
        UniqueConstraint("stocktake_id", "code"),
        Index("ix_stocktake_lines_open", "stocktake_id", "outcome", "resolved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"))
    code: Mapped[str] = mapped_column(String(32))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("containers.id"))
    outcome: Mapped[str] = mapped_column(String(12))
    resolved: Mapped[str | None] = mapped_column(String(16))
    # The movement that resolved it (a loss, a move to the site), if any.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
