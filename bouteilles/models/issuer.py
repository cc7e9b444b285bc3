"""Who issues the monthly impact report: the cooperative, set by an administrator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

LOGO_TYPES = ("png", "jpeg")


class ReportIssuer(Base):
    """The one row (id 1) naming the report's issuer: name, address, SIRET, logo."""

    __tablename__ = "report_issuers"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("siret IS NULL OR length(siret) = 14", name="siret_length"),
        CheckConstraint("(logo IS NULL) = (logo_type IS NULL)", name="logo_typed"),
        CheckConstraint("logo_type IS NULL OR logo_type IN ('png', 'jpeg')", name="logo_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    siret: Mapped[str | None] = mapped_column(String(14))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
