"""What the network tells its members by e-mail, and how often each user wants it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, sql_in, utcnow
from .organisation import Organisation
from .user import User

# The kinds of notification `flask notify` sends (their labels, what is due and to
# whom: services/notifications/). A user's setting for a kind is one of FREQUENCIES.
NOTIFICATION_KINDS = ("overdue", "lost", "pickups", "orders", "low_stock", "monthly_report")
FREQUENCIES = ("daily", "weekly", "off")


class NotificationSetting(Base):
    """How often one user receives one kind; no row: the kind's default."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        CheckConstraint(sql_in("kind", NOTIFICATION_KINDS), name="kind"),
        CheckConstraint(sql_in("frequency", FREQUENCIES), name="frequency"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """One message sent to one user: recorded once it left, so a second run of
    `flask notify` finds it and sends nothing twice (`key` names what it was about:
    the day, the week, the month)."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(sql_in("kind", NOTIFICATION_KINDS), name="kind"),
        Index("uq_notifications_user_kind_key", "user_id", "kind", "key", unique=True),
        Index("ix_notifications_user_time", "user_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
    org: Mapped[Organisation] = relationship(lazy="joined")


class StockThreshold(Base):
    """Below this many clean containers of a type, the member is told (`low_stock`)."""

    __tablename__ = "stock_thresholds"
    __table_args__ = (CheckConstraint("minimum > 0", name="minimum_positive"),)

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"), primary_key=True)
    minimum: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
