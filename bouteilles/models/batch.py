"""Washing batches: one run of the line for one container type, and the corrections
of a closed batch's counts."""

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
from .user import User


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
        Index("ix_batches_territory_closed_at", "territory_id", "closed_at"),
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
    # Hours worked on the batch, and of them by people in an insertion programme.
    hours_worked: Mapped[Decimal | None] = mapped_column(DecimalText)
    insertion_hours: Mapped[Decimal | None] = mapped_column(DecimalText)
    # Partition key (models/territory.py): the washing site's.
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id"))
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


class BatchCorrection(Base):
    """A correction of a closed batch's counts: what they were, what they are, why.

    The batch row keeps the figures of its close (its month never changes); each
    correction adds the difference, counted in the month it is made. Rows are
    never changed or deleted (database triggers refuse it): a correction is
    corrected by another one.
    """

    __tablename__ = "batch_corrections"
    __table_args__ = (
        CheckConstraint(
            "clean_before >= 0 AND rejected_before >= 0 AND clean_after >= 0 "
            "AND rejected_after >= 0", name="counts_non_negative"),
        CheckConstraint("clean_before + rejected_before = clean_after + rejected_after",
                        name="inputs_unchanged"),
        CheckConstraint("mass_g > 0", name="mass_positive"),
        Index("ix_batch_corrections_made_at", "made_at"),
        Index("ix_batch_corrections_batch_id", "batch_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    clean_before: Mapped[int]
    rejected_before: Mapped[int]
    clean_after: Mapped[int]
    rejected_after: Mapped[int]
    # The type's mass the batch's impact was computed with (its mass at the close).
    mass_g: Mapped[int]
    # The impact after minus the impact before, in grams (the month's adjustment).
    co2e_avoided_delta_g: Mapped[int]
    co2e_process_delta_g: Mapped[int]
    waste_avoided_delta_g: Mapped[int]
    to_recycling_delta_g: Mapped[int]

    batch: Mapped[Batch] = relationship()
    made_by: Mapped[User] = relationship()
    rejects: Mapped[list[BatchCorrectionReject]] = relationship(
        back_populates="correction", order_by="BatchCorrectionReject.reason"
    )


class BatchCorrectionReject(Base):
    """One reason's rejected count before and after a correction."""

    __tablename__ = "batch_correction_rejects"
    __table_args__ = (
        CheckConstraint(sql_in("reason", REJECT_REASONS), name="reason"),
        CheckConstraint("count_before >= 0 AND count_after >= 0 "
                        "AND count_before + count_after > 0", name="counts"),
    )

    correction_id: Mapped[int] = mapped_column(ForeignKey("batch_corrections.id"),
                                               primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count_before: Mapped[int]
    count_after: Mapped[int]

    correction: Mapped[BatchCorrection] = relationship(back_populates="rejects")
