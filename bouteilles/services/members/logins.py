"""Logins the server can end: one row per login and device (`LoginSession`).

Flask-Login keeps a user id in the signed session cookie and, with "Rester
connecté", in a remember cookie. Here that id is a random token naming a row of
`login_sessions` (its SHA-256 is stored, like API tokens'), so the server ends
a login by ending its row: logout ends the device's login; a password change or
an admin reset ends every login of the user; the account page lists them and
ends any one. A login without "Rester connecté" ends after `LOGIN_IDLE_HOURS`
without a request; a remembered one after `REMEMBER_DAYS` (30 at most).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ...models import LoginSession, User, utcnow
from ..errors import NotFound
from .accounts import token_digest

MAX_REMEMBER_DAYS = 30
TOUCH_EVERY = timedelta(minutes=1)  # last-seen precision, at most one write a minute
KEEP_ENDED = timedelta(days=30)  # a user's ended logins are deleted at their next login


def _periods() -> tuple[timedelta, timedelta]:
    """(idle limit of a plain login, lifetime of a remembered one)."""
    config = current_app.config if has_app_context() else {}
    idle = timedelta(hours=float(config.get("LOGIN_IDLE_HOURS", 12)))
    remember = timedelta(days=min(float(config.get("REMEMBER_DAYS", MAX_REMEMBER_DAYS)),
                                  MAX_REMEMBER_DAYS))
    return idle, remember


def open_login(session: Session, user: User, *, remember: bool, user_agent: str | None,
               ip: str | None, now: datetime | None = None) -> str:
    """Start a login of `user` on one device; returns its token (for the cookies)."""
    now = now or utcnow()
    idle, lifetime = _periods()
    forgotten = now - KEEP_ENDED
    session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        or_(LoginSession.ended_at < forgotten, LoginSession.expires_at < forgotten)))
    clear = secrets.token_urlsafe(32)
    session.add(LoginSession(
        user_id=user.id, token_hash=token_digest(clear), remember=remember,
        user_agent=(user_agent or "")[:300] or None, ip=(ip or "")[:45] or None,
        created_at=now, last_seen_at=now, expires_at=now + (lifetime if remember else idle)))
    session.flush()
    user.login_token = clear
    return clear


def user_for_login(session: Session, clear: str, *, touch: bool,
                   now: datetime | None = None) -> tuple[User | None, bool]:
    """The active user of a live login, and whether its last-seen time was written.

    `touch`: the caller may have the row's last-seen time (and, for a login
    without "Rester connecté", its idle deadline) moved on, at most once a minute.
    """
    now = now or utcnow()
    # Columns, not the ORM row: a login ended by an UPDATE is never read from a
    # stale identity map.
    login = session.execute(
        select(LoginSession.id, LoginSession.user_id, LoginSession.remember,
               LoginSession.last_seen_at, LoginSession.expires_at)
        .where(LoginSession.token_hash == token_digest(clear),
               LoginSession.ended_at.is_(None))).first()
    if login is None or login.expires_at <= now:
        return None, False
    user = session.get(User, login.user_id)
    if user is None or not user.is_active:
        return None, False
    user.login_token = clear
    if not touch or now - login.last_seen_at < TOUCH_EVERY:
        return user, False
    values = {"last_seen_at": now}
    if not login.remember:
        values["expires_at"] = now + _periods()[0]
    session.execute(update(LoginSession).where(LoginSession.id == login.id).values(**values))
    return user, True


def end_login(session: Session, clear: str | None, *, now: datetime | None = None) -> None:
    """End the login behind a token (logout)."""
    if clear:
        session.execute(update(LoginSession)
                        .where(LoginSession.token_hash == token_digest(clear),
                               LoginSession.ended_at.is_(None))
                        .values(ended_at=now or utcnow()))


def end_user_logins(session: Session, user_id: int, *, keep: int | None = None,
                    now: datetime | None = None) -> int:
    """End every live login of a user (password changed or reset), but the login
    `keep` (this device's) when given; returns how many were ended."""
    now = now or utcnow()
    stmt = (update(LoginSession)
            .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None),
                   LoginSession.expires_at > now)
            .values(ended_at=now))
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep)
    return session.execute(stmt).rowcount


def end_login_of_user(session: Session, user_id: int, login_id: int, *,
                      now: datetime | None = None) -> None:
    """End one of a user's logins (from the account page); 404 for anyone else's."""
    ended = session.execute(update(LoginSession)
                            .where(LoginSession.id == login_id,
                                   LoginSession.user_id == user_id,
                                   LoginSession.ended_at.is_(None))
                            .values(ended_at=now or utcnow()))
    if ended.rowcount != 1:
        raise NotFound(_l("Cette connexion n'existe pas ou est déjà fermée."))


def active_logins(session: Session, user_id: int, *,
                  now: datetime | None = None) -> list[LoginSession]:
    """A user's live logins, the most recently used first."""
    return list(session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None),
               LoginSession.expires_at > (now or utcnow()))
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def login_id_of(session: Session, clear: str | None) -> int | None:
    """The row id of the login behind a token (to mark "this device")."""
    if not clear:
        return None
    return session.scalar(select(LoginSession.id)
                          .where(LoginSession.token_hash == token_digest(clear)))


_BROWSERS = (("Edg/", "Edge"), ("SamsungBrowser", "Samsung Internet"), ("Firefox/", "Firefox"),
             ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome/", "Chrome"),
             ("Chromium", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))


def device_name(user_agent: str | None) -> str:
    """A short name for a browser's User-Agent, e.g. "Chrome · Android" (else "?")."""
    agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    return " · ".join(part for part in (browser, system) if part) or "?"
