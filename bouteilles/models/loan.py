"""Event tableware loans: counted quantities lent by type, then checked back."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, sql_in, utcnow
from .container_type import ContainerType
from .organisation import Organisation

LOAN_STATUSES = ("open", "closed")


class Loan(Base):
    """Tableware a member lends to an event organiser for one event."""

    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint(sql_in("status", LOAN_STATUSES), name="status"),
        CheckConstraint("lender_id <> borrower_id", name="two_parties"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_at"),
        Index("ix_loans_lender_status", "lender_id", "status"),
        Index("ix_loans_borrower_status", "borrower_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    borrower_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    event_name: Mapped[str] = mapped_column(String(200))
    event_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="open")
    lent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lender: Mapped[Organisation] = relationship(foreign_keys=[lender_id], lazy="joined")
    borrower: Mapped[Organisation] = relationship(foreign_keys=[borrower_id], lazy="joined")
    lines: Mapped[list[LoanLine]] = relationship(
        back_populates="loan", order_by="LoanLine.type_id", cascade="all, delete-orphan"
    )

    @property
    def billed_cents(self) -> int:
        return sum(line.billed_cents for line in self.lines)


class LoanLine(Base):
    """One container type of a loan: how many went out and how they came back.

    `deposit_cents` is the type's deposit when the loan was made: the bill of a
    loan does not change when the coordinator later revises the type.
    """

    __tablename__ = "loan_lines"
    __table_args__ = (
        CheckConstraint("lent > 0", name="lent_positive"),
        CheckConstraint("returned >= 0 AND broken >= 0 AND missing >= 0",
                        name="counts_non_negative"),
        CheckConstraint("returned + broken + missing <= lent", name="at_most_lent"),
        CheckConstraint("NOT closed OR returned + broken + missing = lent",
                        name="closed_balances"),
        CheckConstraint("deposit_cents >= 0", name="deposit_non_negative"),
    )

    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("container_types.id"), primary_key=True)
    lent: Mapped[int]
    returned: Mapped[int] = mapped_column(default=0)
    broken: Mapped[int] = mapped_column(default=0)
    missing: Mapped[int] = mapped_column(default=0)
    deposit_cents: Mapped[int]
    closed: Mapped[bool] = mapped_column(default=False)

    loan: Mapped[Loan] = relationship(back_populates="lines")
    type: Mapped[ContainerType] = relationship(lazy="joined")

    @property
    def unaccounted(self) -> int:
        return self.lent - self.returned - self.broken - self.missing

    @property
    def billed_cents(self) -> int:
        return (self.broken + self.missing) * self.deposit_cents
