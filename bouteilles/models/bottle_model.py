"""Bottle models: the physical bottle (mould, colour, volume, glass) a container type
is made of, so the washing site sorts by model and a winegrower knows what it gets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..vocabulary import GLASS_COLOURS
from .base import Base, UTCDateTime, sql_in, utcnow


class BottleModel(Base):
    """One bottle model of the network's registry (a type points to at most one).

    Its glass mass is the glassworks' figure for the bottle; the impact keeps
    reading the type's mass (a type is what batches count), the model's is shown
    next to it so the coordination can bring them in line.
    """

    __tablename__ = "bottle_models"
    __table_args__ = (
        CheckConstraint(sql_in("colour", GLASS_COLOURS), name="colour"),
        CheckConstraint("volume_ml > 0", name="volume_positive"),
        CheckConstraint("mass_g > 0", name="mass_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    mould_ref: Mapped[str | None] = mapped_column(String(100))
    colour: Mapped[str] = mapped_column(String(32))
    volume_ml: Mapped[int]
    mass_g: Mapped[int]
    glassworks: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<BottleModel {self.code}>"
