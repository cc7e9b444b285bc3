"""What `flask notify` sends: for each kind, what is due, to each user who wants it,
written in their language, unless it was sent already.

A message is keyed by what it is about: the `Due`'s key (a month), else the
period it covers for the user ("2026-12-05" for a daily one, "2026-W49" for a
weekly one, in Paris). A `Notification` row is written for each message that
left, and the command commits it there and then: a run stopped half-way, or
run again, sends only what did not leave.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...i18n import DEFAULT_LOCALE, LOCALES
from ...models import User, utcnow
from ...models.notification import Notification
from ..periods import PARIS
from .due import Attachment, Due
from .kinds import KINDS, Kind
from .links import mail_url, unsubscribe_token
from .preferences import recipients


@dataclass
class Tally:
    """One kind's run: messages sent (or, in a dry run, to send), already sent, failed."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Outgoing:
    """One message written for one user, ready to leave."""

    user: User
    kind: str
    key: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    attachments: tuple[Attachment, ...] = ()

    @property
    def headers(self) -> dict[str, str]:
        """One-click unsubscribe (RFC 8058), and no auto-reply to an automatic mail."""
        return {"List-Unsubscribe": f"<{self.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated"}


def period_start(now: datetime, frequency: str) -> datetime:
    """The start of the period a message covers, in Paris: today's midnight for a
    daily one, Monday's for a weekly one."""
    day = now.astimezone(PARIS).date()
    if frequency == "weekly":
        day -= timedelta(days=day.weekday())
    return datetime.combine(day, time.min, tzinfo=PARIS)


def period_key(now: datetime, frequency: str) -> str:
    """"2026-12-05" (daily) or "2026-W49" (weekly, ISO week), in Paris."""
    day = now.astimezone(PARIS).date()
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def was_sent(session: Session, user_id: int, kind: str, key: str) -> bool:
    return session.scalar(select(Notification.id).where(
        Notification.user_id == user_id, Notification.kind == kind,
        Notification.key == key)) is not None


def compose(kind: Kind, user: User, found: Due, key: str) -> Outgoing:
    """The message in the user's language (their setting, else French)."""
    unsubscribe_url = mail_url("notifications.unsubscribe",
                               token=unsubscribe_token(user.id, kind.code))
    with force_locale(user.locale if user.locale in LOCALES else DEFAULT_LOCALE):
        context = {**found.context, "user": user, "org": user.org, "kind": kind.code,
                   "kind_label": gettext(kind.label), "unsubscribe_url": unsubscribe_url,
                   "settings_url": mail_url("notifications.inbox"), "mail_url": mail_url}
        subject = " ".join(kind.module.subject(found.context).split())  # one header line
        return Outgoing(user, kind.code, key, subject,
                        render_template(f"mail/{kind.code}.txt", **context),
                        render_template(f"mail/{kind.code}.html", **context),
                        unsubscribe_url, found.attachments)


def outgoing_messages(session: Session, now: datetime,
                      tallies: dict[str, Tally]) -> Iterator[Outgoing]:
    """Every message due at `now` and not sent yet, kind by kind (`tallies` counts
    those already sent). Each kind's `due` is asked once per period its users want."""
    for kind in KINDS.values():
        tally = tallies.setdefault(kind.code, Tally())
        for frequency, by_org in recipients(session, kind).items():
            for found in kind.module.due(session, now, period_start(now, frequency)):
                for user in by_org.get(found.org_id, ()):
                    key = found.key or period_key(now, frequency)
                    if was_sent(session, user.id, kind.code, key):
                        tally.skipped += 1
                    else:
                        yield compose(kind, user, found, key)


def record_sent(session: Session, message: Outgoing) -> Notification:
    """The row that says the message left (and what it said, for the in-app list)."""
    row = Notification(user_id=message.user.id, org_id=message.user.org_id,
                       kind=message.kind, key=message.key, subject=message.subject[:300],
                       body=message.text, sent_at=utcnow())
    session.add(row)
    session.flush()
    return row
