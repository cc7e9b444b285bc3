"""Member organisations of the network."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import ORG_KINDS
from .base import Base, UTCDateTime, sql_in, utcnow
from .territory import Territory


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(sql_in("kind", ORG_KINDS), name="kind"),
        CheckConstraint("gln IS NULL OR length(gln) = 13", name="gln_length"),
        Index("ix_organisations_gln", "gln", unique=True),
        Index("ix_organisations_territory", "territory_id"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)",
                        name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(Text)
    opening_hours: Mapped[str | None] = mapped_column(Text)
    # GS1 Global Location Number: 13 digits, check digit validated by the forms.
    gln: Mapped[str | None] = mapped_column(String(13))
    # The territory it belongs to (at most one); none: the whole network's.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id"))
    # Where it is (WGS 84 degrees): the return points' map, the loops' distances.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory: Mapped[Territory | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"
