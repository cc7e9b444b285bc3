"""Slowing down password guessing: failed attempts counted in the database.

Each refused password is a `login_failures` row per scope: the account (its
e-mail, hashed: a mistyped password sometimes lands in the e-mail field), the
client address, and, for the password page, the user. A scope with `limit`
failures in the last `window` is refused until the oldest of them leaves the
window. Counted in the database, the limits hold across gunicorn workers and
app servers (an in-memory counter would give each worker its own).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...models import LoginFailure, utcnow

KEEP = timedelta(days=1)  # rows older than this are deleted on the next failure


@dataclass(frozen=True)
class Limit:
    """At most `count` failures of one scope within `window`."""

    scope: str
    count: int
    window: timedelta


def account_scope(email: str) -> str:
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:40]
    return f"account:{digest}"


def login_limits(email: str, address: str | None) -> tuple[Limit, ...]:
    """The limits of the login form: per account, and per client address."""
    window = timedelta(minutes=15)
    return (Limit(account_scope(email), 10, window),
            Limit(f"address:{address or '?'}"[:120], 50, window))


def password_limits(user_id: int) -> tuple[Limit, ...]:
    """The limit of the current-password check on the password page."""
    return (Limit(f"password:{user_id}", 5, timedelta(minutes=15)),)


def retry_after(session: Session, limits: tuple[Limit, ...], *,
                now: datetime | None = None) -> int | None:
    """Seconds to wait before trying again, or None when no limit is reached."""
    now = now or utcnow()
    waits = []
    for limit in limits:
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.failed_at))
            .where(LoginFailure.scope == limit.scope,
                   LoginFailure.failed_at > now - limit.window)).one()
        if count >= limit.count:
            waits.append(max(1, math.ceil((oldest + limit.window - now).total_seconds())))
    return max(waits) if waits else None


def record_failure(session: Session, limits: tuple[Limit, ...], *,
                   now: datetime | None = None) -> None:
    """Count one failure in every scope of `limits` (and forget old ones)."""
    now = now or utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - KEEP))
    session.add_all(LoginFailure(scope=limit.scope, failed_at=now) for limit in limits)
    session.flush()


def forget_failures(session: Session, limit: Limit) -> None:
    """Clear one scope's failures (the account's, after its owner logged in)."""
    session.execute(delete(LoginFailure).where(LoginFailure.scope == limit.scope))
