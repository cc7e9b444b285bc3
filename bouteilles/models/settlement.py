"""Settlements marked paid: who paid whom, for which month, how, and who said so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, sql_in, utcnow
from .organisation import Organisation
from .user import User

PAYMENT_METHODS = ("transfer", "cheque", "cash", "offset", "other")


class SettlementPayment(Base):
    """The netted settlement of one pair of members for one month, marked paid by
    either side or the coordination. A mark made by mistake is cancelled, never
    deleted: the live one of a (month, payer, payee) is unique."""

    __tablename__ = "settlement_payments"
    __table_args__ = (
        CheckConstraint(sql_in("method", PAYMENT_METHODS), name="method"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("payer_id <> payee_id", name="two_parties"),
        CheckConstraint("length(month) = 7", name="month_format"),
        Index("uq_settlement_payments_live", "month", "payer_id", "payee_id", unique=True,
              sqlite_where=text("cancelled_at IS NULL"),
              postgresql_where=text("cancelled_at IS NULL")),
        Index("ix_settlement_payments_payer", "payer_id", "month"),
        Index("ix_settlement_payments_payee", "payee_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    payer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    payee_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    amount_cents: Mapped[int]
    method: Mapped[str] = mapped_column(String(12))
    reference: Mapped[str | None] = mapped_column(String(200))
    paid_on: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_by_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    payer: Mapped[Organisation] = relationship(foreign_keys=[payer_id], lazy="joined")
    payee: Mapped[Organisation] = relationship(foreign_keys=[payee_id], lazy="joined")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="joined")
    recorded_by_org: Mapped[Organisation] = relationship(foreign_keys=[recorded_by_org_id])
