"""A member's request to be collected ("bac plein"), closed by the collection there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, sql_in, utcnow
from .organisation import Organisation

PICKUP_STATUSES = ("open", "closed", "cancelled")


class PickupRequest(Base):
    """"Please come and collect": open until a collection at the member closes it
    (`closed_by_event_id`), or the member cancels it."""

    __tablename__ = "pickup_requests"
    __table_args__ = (
        CheckConstraint(sql_in("status", PICKUP_STATUSES), name="status"),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_at"),
        Index("ix_pickup_requests_status_org", "status", "org_id"),
        Index("ix_pickup_requests_org_time", "org_id", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")
    note: Mapped[str | None] = mapped_column(String(500))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    closed_by_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))

    org: Mapped[Organisation] = relationship(foreign_keys=[org_id], lazy="joined")
    closed_by_org: Mapped[Organisation | None] = relationship(foreign_keys=[closed_by_org_id])
