"""A winegrower's request to a washing site for clean bottles of one model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, sql_in, utcnow
from .container_type import ContainerType
from .organisation import Organisation

REQUEST_STATUSES = ("open", "fulfilled", "cancelled")


class BottleRequest(Base):
    """N clean bottles asked for; `reserved` is what is held against the site's stock."""

    __tablename__ = "bottle_requests"
    __table_args__ = (
        CheckConstraint(sql_in("status", REQUEST_STATUSES), name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("delivered >= 0", name="delivered_non_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= quantity", name="reserved_bounds"),
        CheckConstraint("status = 'open' OR reserved = 0", name="closed_holds_nothing"),
        Index("ix_bottle_requests_site_status", "site_id", "status", "type_id"),
        Index("ix_bottle_requests_org_status", "org_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"))
    quantity: Mapped[int]
    delivered: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="open")
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Organisation] = relationship(foreign_keys=[org_id], lazy="joined")
    site: Mapped[Organisation] = relationship(foreign_keys=[site_id], lazy="joined")
    type: Mapped[ContainerType] = relationship(lazy="joined")
