"""The coordination's flag on a winegrower whose labels do not wash off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .organisation import Organisation
from .user import User

_STANDING = text("cleared_at IS NULL")


class ProducerLabelFlag(Base):
    """"Ne se lave pas": a producer's labels flagged by the coordination, with who,
    when and why. Clearing the flag keeps the row (who cleared it, when): the
    history of a producer's flags stays readable; at most one stands at a time."""

    __tablename__ = "producer_label_flags"
    __table_args__ = (
        CheckConstraint("(cleared_at IS NULL) = (cleared_by_id IS NULL)", name="cleared"),
        # The standing flag of a producer (at most one), read by its pages.
        Index("ix_producer_label_flags_standing", "org_id", unique=True,
              sqlite_where=_STANDING, postgresql_where=_STANDING),
        Index("ix_producer_label_flags_org_time", "org_id", "flagged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    flagged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    org: Mapped[Organisation] = relationship(lazy="joined")
    flagged_by: Mapped[User] = relationship(foreign_keys=[flagged_by_id])
    cleared_by: Mapped[User | None] = relationship(foreign_keys=[cleared_by_id])
