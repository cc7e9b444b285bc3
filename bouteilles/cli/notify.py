"""`flask notify`: send every notification that is due, once (API.md, "Notifications")."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db.database import get_session
from ..models import utcnow
from ..services.movements import boxes_to_declare_lost, declare_overdue_lost
from ..services.notifications.mailer import Postman, mail_problem
from ..services.notifications.sender import Tally, outgoing_messages, record_sent
from ..services.periods import PARIS


def _moment(_ctx, _param, value: str | None) -> datetime:
    """--now: an ISO moment (without an offset: Paris time), in UTC; default: now."""
    if value is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: an ISO date or moment is expected, "
                                 f"e.g. 2026-12-01T07:15") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=PARIS)).astimezone(UTC)


@click.command("notify")
@click.option("--now", "now", callback=_moment, metavar="ISO",
              help="Act as if it were this moment (Paris time without an offset).")
@click.option("--dry-run", is_flag=True,
              help="Print who would get what; send nothing, record nothing.")
@with_appcontext
def notify(now: datetime, dry_run: bool) -> None:
    """Send every notification that is due, once; exit 1 when one could not be sent."""
    problem = None if dry_run else mail_problem(current_app.config)
    if problem:
        raise click.ClickException(problem)
    session = get_session()
    lost_days = current_app.config["LOST_DAYS"]
    if dry_run:
        lost = boxes_to_declare_lost(session, lost_days=lost_days, now=now)
        click.echo(f"would declare lost {len(lost)} boxes with a customer for more than "
                   f"{lost_days} days.")
    else:
        lost = declare_overdue_lost(session, lost_days=lost_days, now=now)
        session.commit()
        click.echo(f"declared lost: {len(lost)} boxes with a customer for more than "
                   f"{lost_days} days.")
    tallies: dict[str, Tally] = {}
    postman = None if dry_run else Postman()
    try:
        for message in outgoing_messages(session, now, tallies):
            tally = tallies[message.kind]
            if postman is None:
                click.echo(f"would send {message.kind} to {message.user.email}: "
                           f"{message.subject}")
                tally.sent += 1
            elif postman.send(to=message.user.email, subject=message.subject,
                              text=message.text, html=message.html, headers=message.headers,
                              attachments=message.attachments):
                record_sent(session, message)
                session.commit()
                tally.sent += 1
            else:
                tally.failed += 1
    finally:
        if postman is not None:
            postman.close()
    session.rollback()
    _summary(tallies, dry_run, postman)


def _summary(tallies: dict[str, Tally], dry_run: bool, postman: Postman | None) -> None:
    """A line per kind; exit 1 when a message did not leave."""
    sent = "to send" if dry_run else "sent"
    for kind, tally in tallies.items():
        click.echo(f"{kind}: {tally.sent} {sent}, {tally.skipped} already sent, "
                   f"{tally.failed} failed")
    failed = sum(tally.failed for tally in tallies.values())
    if failed:
        reason = f" (SMTP server unreachable: {postman.unreachable})" \
            if postman and postman.unreachable else " (see the log)"
        click.echo(f"{failed} message(s) not sent{reason}; run again to send them.", err=True)
        raise SystemExit(1)
