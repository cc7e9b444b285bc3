"""Logins the server can end, and the failed attempts that slow down guessing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class LoginSession(Base):
    """One login on one device: the browser's cookies carry its token.

    Flask-Login's user id is this token (`User.get_id`), so both the session
    cookie and the "remember me" cookie name a row here, and ending the row
    (logout, a password change or reset, the account page) ends that login
    wherever its cookies are, stolen copies included.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """A refused password, counted per scope (an account, a client address, a
    password check) over a sliding window by `services/members/login_limits.py`."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_scope_time", "scope", "failed_at"),
                      Index("ix_login_failures_time", "failed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(120))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
