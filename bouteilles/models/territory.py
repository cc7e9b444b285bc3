"""Territories: the network is a federation of them on one instance.

Each territory (the Jura first) has its own coordination, members, washing sites
and reports; a coordinator organisation without one coordinates the whole
network. The large tables carry a `territory_id` of their own, the key they are
partitioned by when one database server is no longer enough (docs/scaling.md):

- `events`, `deposit_entries`: the territory of the organisation that recorded
  the movement or the money (where it happened);
- `containers`, `crates`, `labels`: the object's home territory, that of the
  member that commissioned (or minted) it; it does not change when the object
  travels, nor when its ownership is transferred;
- `batches`: the washing site's territory.

A row of a member without a territory (the national coordination) has none.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class Territory(Base):
    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Territory {self.code}>"


class TerritoryDeposit(Base):
    """A territory's own deposit for a container type, where it differs from the
    type's. The amount a lend takes is that of the object's home territory."""

    __tablename__ = "territory_deposits"
    __table_args__ = (
        CheckConstraint("deposit_cents >= 0", name="deposit_non_negative"),
    )

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"), primary_key=True)
    deposit_cents: Mapped[int]
