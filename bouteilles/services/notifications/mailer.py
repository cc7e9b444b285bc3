"""Mail that really leaves: SMTP through Flask-Mailman, one connection per run."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping

from flask import current_app
from flask_mailman import EmailMultiAlternatives

from .due import Attachment

log = logging.getLogger(__name__)


def mail_problem(config: Mapping) -> str | None:
    """What keeps mail from leaving (a setting missing), or None."""
    missing = [name for name in ("MAIL_SERVER", "MAIL_DEFAULT_SENDER") if not config.get(name)]
    if missing:
        return (f"Mail is not configured: set {' and '.join(missing)} (docs/deploy.md, "
                f"\"Notifications\"). Nothing was sent.")
    return None


class Postman:
    """Sends messages over one SMTP connection, opened at the first one. A message
    refused is logged and reported (False), and the next one tries again on a new
    connection; a server that cannot be reached is not tried again for each message."""

    def __init__(self) -> None:
        self.connection = current_app.extensions["mailman"].get_connection()
        self.unreachable: str | None = None

    def send(self, *, to: str, subject: str, text: str, html: str, headers: dict[str, str],
             attachments: tuple[Attachment, ...] = ()) -> bool:
        """Send one message; whether it left."""
        if self.unreachable:
            return False
        message = EmailMultiAlternatives(subject, text, to=[to], headers=headers,
                                         connection=self.connection)
        message.attach_alternative(html, "text/html")
        for attachment in attachments:
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        try:
            self.connection.open()
        except (smtplib.SMTPException, OSError) as exc:
            self.unreachable = f"{type(exc).__name__}: {exc}"
            log.error("SMTP server %s:%s unreachable: %s", self.connection.host,
                      self.connection.port, self.unreachable)
            return False
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            log.error("mail to %s not sent: %s: %s", to, type(exc).__name__, exc)
            self._reset()
            return False
        return True

    def _reset(self) -> None:
        """Drop a connection that failed, so the next message opens a new one."""
        try:
            self.connection.close()
        except (smtplib.SMTPException, OSError):
            self.connection.connection = None

    def close(self) -> None:
        self._reset()
