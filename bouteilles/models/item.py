"""Tracked things: labelled containers, counted crates, and their labels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import STATES
from .base import Base, UTCDateTime, sql_in, utcnow
from .container_type import ContainerType
from .organisation import Organisation

_IN_A_BATCH = text("batch_id IS NOT NULL")


class _Tracked:
    """Columns shared by containers and crates (the current-state projection)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Time of the last event applied; an older offline scan does not rewind it.
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Partition key (models/territory.py): the object's home territory.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id"))


class Container(_Tracked, Base):
    """One object with its own QR code: a Ju'Ramène box, a labelled bottle."""

    __tablename__ = "containers"
    __table_args__ = (
        CheckConstraint(sql_in("state", STATES), name="state"),
        CheckConstraint("cycles >= 0", name="cycles_non_negative"),
        CheckConstraint("deposit_held_cents >= 0", name="deposit_non_negative"),
        Index("ix_containers_holder_state", "holder_id", "state", "type_id"),
        # Only containers in a batch (migration 0011): the rest, nearly all, are
        # never read by batch, and their lends and returns then skip this index.
        Index("ix_containers_batch", "batch_id", sqlite_where=_IN_A_BATCH,
              postgresql_where=_IN_A_BATCH),
    )

    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    cycles: Mapped[int] = mapped_column(default=0)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    # Deposit taken at the current lend and not yet refunded (0 when none).
    deposit_held_cents: Mapped[int] = mapped_column(default=0)
    # The open `taken` ledger entry; a plain id (no foreign key) to keep the
    # table graph acyclic so both databases create it in one pass.
    lend_entry_id: Mapped[int | None]
    lent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    type: Mapped[ContainerType] = relationship(lazy="joined")
    holder: Mapped[Organisation] = relationship(foreign_keys=[holder_id], lazy="joined")
    owner: Mapped[Organisation] = relationship(foreign_keys=[owner_id])

    kind = "container"


class Crate(_Tracked, Base):
    """A crate, pallet or bag carrying a counted quantity of one container type."""

    __tablename__ = "crates"
    __table_args__ = (
        CheckConstraint(sql_in("state", STATES), name="state"),
        CheckConstraint("quantity >= 0", name="quantity_non_negative"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        Index("ix_crates_holder_state", "holder_id", "state", "type_id"),
        Index("ix_crates_batch", "batch_id"),
    )

    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    quantity: Mapped[int]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    # A pallet filled at the washing site: how many it takes (None: a plain crate),
    # and when it was released, full or early, with its label (None: still filling).
    capacity: Mapped[int | None]
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    type: Mapped[ContainerType] = relationship(lazy="joined")
    holder: Mapped[Organisation] = relationship(foreign_keys=[holder_id], lazy="joined")
    owner: Mapped[Organisation] = relationship(foreign_keys=[owner_id])

    kind = "crate"

    @property
    def cycles(self) -> int:
        return 0


class Label(Base):
    """A code: minted (printed, attached to nothing yet) or attached to one thing.

    A damaged label is replaced by a new code; the thing keeps its history.
    """

    __tablename__ = "labels"
    __table_args__ = (
        CheckConstraint(
            "container_id IS NULL OR crate_id IS NULL", name="at_most_one_item"
        ),
    )

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    # For a minted label: the type it will be commissioned as on its first scan.
    type_id: Mapped[int | None] = mapped_column(ForeignKey("container_types.id"))
    container_id: Mapped[int | None] = mapped_column(ForeignKey("containers.id"), index=True)
    crate_id: Mapped[int | None] = mapped_column(ForeignKey("crates.id"), index=True)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    detached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Partition key (models/territory.py): its object's home, or the minter's territory.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id"))
