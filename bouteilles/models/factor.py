"""Impact factor sets: named, versioned tables of sourced factors."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, DecimalText, UTCDateTime, utcnow


class FactorSet(Base):
    __tablename__ = "factor_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The set in force is the most recent one whose valid_from has passed.
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    factors: Mapped[list[Factor]] = relationship(back_populates="factor_set", order_by="Factor.key")

    def values(self) -> dict[str, Decimal]:
        """The factors as a key → value mapping."""
        return {f.key: f.value for f in self.factors}


class Factor(Base):
    __tablename__ = "factors"

    factor_set_id: Mapped[int] = mapped_column(ForeignKey("factor_sets.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    # The range found in the sources, for the report's sensitivity (None: no range).
    low: Mapped[Decimal | None] = mapped_column(DecimalText)
    high: Mapped[Decimal | None] = mapped_column(DecimalText)

    factor_set: Mapped[FactorSet] = relationship(back_populates="factors")
