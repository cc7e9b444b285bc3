"""What one kind of notification has to say to one member, before it is sent.

Each kind (`models.NOTIFICATION_KINDS`) has a function `due(session, now, since)`
that returns a `Due` per member with something to say: `since` is the start of
the period the message covers for a user (the day, or the week, in Paris), which
only kinds that report what happened (boxes declared lost) read; the others say
what is open or late at `now`. The sender (services/notifications) renders a
`Due` for each user of the member who wants that kind, in the user's language,
and records it so it is never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Due:
    """`context`: what the kind's templates (templates/mail/<kind>.txt and .html)
    read; `key`: what the message is about when it is not the period (the month
    of a monthly report), else None."""

    org_id: int
    context: dict
    key: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
