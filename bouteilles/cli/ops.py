"""Operations commands: `check` (invariants), `backup -o FILE`, `restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db.database import get_session
from ..services.backups import BackupError, backup_database, restore_database
from ..services.oversight.replay_check import check_integrity, format_report


@click.command("check")
@with_appcontext
def check() -> None:
    """Check the invariants of the record; exit 1 and say what is wrong when one fails."""
    session = get_session()
    report = check_integrity(session)
    session.rollback()
    click.echo(format_report(report))
    if not report.ok:
        raise SystemExit(1)


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Backup file to write (SQLite copy, or pg_dump custom archive).")
@with_appcontext
def backup(output: str) -> None:
    """Write a consistent backup of the whole database while the app keeps running."""
    try:
        path = backup_database(current_app.extensions["db_engine"], Path(output))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(source: str, yes: bool) -> None:
    """Replace the whole database with a backup (stop the application first)."""
    if not yes:
        click.confirm("This replaces every row of the database. Continue?", abort=True)
    try:
        restore_database(current_app.extensions["db_engine"], Path(source))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Database restored from {source}.")


OPS_COMMANDS = (check, backup, restore)
