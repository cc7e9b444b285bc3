"""The notifications a user received, as the account page lists them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import User, utcnow
from ...models.notification import Notification
from ..errors import NotFound

RECENT = 30


def recent_notifications(session: Session, user: User) -> list[Notification]:
    """The user's last 30 notifications, newest first."""
    return list(session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.sent_at.desc(), Notification.id.desc()).limit(RECENT)))


def open_notification(session: Session, user: User, notification_id: int) -> Notification:
    """One of the user's notifications, marked read; someone else's is not found (404)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_l("Notification introuvable."))
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return row
