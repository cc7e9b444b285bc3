"""Declarative base, naming convention and the UTC timestamp type."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

# Ids are INTEGER columns (PostgreSQL's int4): a larger number names no row, and
# the driver would refuse to send it.
MAX_ID = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class DecimalText(TypeDecorator):
    """An exact decimal kept as text, identical on SQLite and PostgreSQL (no float)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | str | None, dialect):
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: str | None, dialect):
        return None if value is None else Decimal(value)


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """SQL text `column IN ('a', 'b')` for a check constraint."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
