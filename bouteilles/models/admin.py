"""Coordinator records: container type history and temporary passwords."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, sql_in, utcnow
from .event import Event

# The anomaly pages read flagged events by kind and time (migration 0004_admin;
# partial since 0010: lends and returns, never flagged, do not write to it).
_FLAGGED = text("anomaly IS NOT NULL")
Index("ix_events_anomaly_time", Event.anomaly, Event.occurred_at,
      sqlite_where=_FLAGGED, postgresql_where=_FLAGGED)


REVISION_ACTIONS = ("create", "update")


class ContainerTypeRevision(Base):
    """One change of a container type: who, when, the values before and after.

    A type is edited in place (the current values are what new scans and new
    batches use); past figures stay as they were because batches store their
    impact when they close, and deposits store the amount taken.
    """

    __tablename__ = "container_type_revisions"
    __table_args__ = (
        CheckConstraint(sql_in("action", REVISION_ACTIONS), name="action"),
        Index("ix_container_type_revisions_type_time", "type_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(16))  # create | update
    old_values: Mapped[dict | None] = mapped_column(JSON)
    new_values: Mapped[dict] = mapped_column(JSON)


class TemporaryPassword(Base):
    """A password set by the coordinator (invite or reset): must be changed at login."""

    __tablename__ = "temporary_passwords"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
