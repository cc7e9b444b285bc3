"""Washing batches: one run of the line for one container type."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import REJECT_REASONS
from .base import Base, DecimalText, UTCDateTime, sql_in, utcnow
from .container_type import ContainerType
from .factor import FactorSet
from .organisation import Organisation


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint(sql_in("status", ("open", "closed")), name="status"),
        CheckConstraint("inputs >= 0 AND counted_inputs >= 0", name="inputs_non_negative"),
        CheckConstraint(
            "status = 'open' OR clean + rejected = inputs", name="closed_balances"
        ),
        Index("ix_batches_site_status", "site_id", "status", "type_id"),
        Index("ix_batches_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(8), default="open")
    inputs: Mapped[int] = mapped_column(default=0)
    counted_inputs: Mapped[int] = mapped_column(default=0)
    clean: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    water_l: Mapped[Decimal | None] = mapped_column(DecimalText)
    electricity_kwh: Mapped[Decimal | None] = mapped_column(DecimalText)
    gas_kwh: Mapped[Decimal | None] = mapped_column(DecimalText)
    transport: Mapped[list | None] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    output_crate_id: Mapped[int | None]  # the crate of clean output (no FK: acyclic graph)
    factor_set_id: Mapped[int | None] = mapped_column(ForeignKey("factor_sets.id"))
    co2e_avoided_g: Mapped[int | None]
    co2e_process_g: Mapped[int | None]
    waste_avoided_g: Mapped[int | None]
    to_recycling_g: Mapped[int | None]

    type: Mapped[ContainerType] = relationship(lazy="joined")
    site: Mapped[Organisation] = relationship(lazy="joined")
    factor_set: Mapped[FactorSet | None] = relationship()
    rejects: Mapped[list[BatchReject]] = relationship(
        back_populates="batch", order_by="BatchReject.reason"
    )


class BatchReject(Base):
    """Rejected count of a closed batch for one reason."""

    __tablename__ = "batch_rejects"
    __table_args__ = (
        CheckConstraint(sql_in("reason", REJECT_REASONS), name="reason"),
        CheckConstraint("count > 0", name="count_positive"),
    )

    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int]

    batch: Mapped[Batch] = relationship(back_populates="rejects")
