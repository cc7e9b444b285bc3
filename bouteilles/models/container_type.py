"""Kinds of reusable containers (a 75 cl bottle, a 500 ml glass box...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import FAMILIES
from .base import Base, UTCDateTime, sql_in, utcnow
from .bottle_model import BottleModel


class ContainerType(Base):
    __tablename__ = "container_types"
    __table_args__ = (
        CheckConstraint(sql_in("family", FAMILIES), name="family"),
        CheckConstraint("mass_g > 0", name="mass_positive"),
        CheckConstraint("deposit_cents >= 0", name="deposit_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(16))
    mass_g: Mapped[int]
    volume_ml: Mapped[int | None]
    deposit_cents: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The bottle model it is made of (bottles; a box type has none).
    model_id: Mapped[int | None] = mapped_column(ForeignKey("bottle_models.id"))
    model: Mapped[BottleModel | None] = relationship()

    def __repr__(self) -> str:
        return f"<ContainerType {self.code}>"
