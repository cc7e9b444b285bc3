"""People who log in, and their API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .organisation import Organisation


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Organisation] = relationship(lazy="joined")

    # The token of the login this object was loaded for (services/members/logins.py):
    # not a column, set on the instance.
    login_token = None

    def get_id(self) -> str:
        """Flask-Login's id: the token of this login, so the server can end it."""
        if self.login_token is None:
            raise RuntimeError("log in through services.members.logins.open_login")
        return self.login_token

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled users cannot log in
        return self.active and self.org.active

    @property
    def territory_id(self) -> int | None:
        """The organisation's territory: where the user's moves are recorded."""
        return self.org.territory_id

    @property
    def role(self) -> str:
        """The role comes from the organisation's kind."""
        return self.org.kind

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
