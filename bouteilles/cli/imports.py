"""`flask import orgs|users|stock FILE [--apply]`: a spreadsheet's rows, checked
(the default: a dry run printing each row's faults) or written when every row is
valid (`--apply`; exit 1 and nothing written otherwise)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from ..db.database import get_session
from ..services.imports import KINDS, MAX_BYTES, FileRefused, Outcome, read_file, run_import
from ..services.territories import Scope
from .labels import _commissioner


def _report(outcome: Outcome) -> None:
    """Each faulty row with its line and column, then the count."""
    for row in outcome.faulty:
        for error in row.errors:
            label = outcome.column_label(error.column)
            where = f"line {row.line}" + (f", {gettext(label)}" if label else "")
            click.echo(f"  {where}: {error.message}")
    if outcome.failure is not None:
        click.echo(f"  {outcome.failure}")
    if outcome.ignored:
        click.echo(f"Ignored columns: {', '.join(outcome.ignored)}")


@click.command("import")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", is_flag=True, help="Write the rows (when every row is valid); "
              "without it, only check them.")
@click.option("--by", "by_email", help="stock: the user recorded as commissioning "
              "(default: a coordinator administrator).")
@with_appcontext
def import_command(kind: str, source: Path, apply: bool, by_email: str | None) -> None:
    """Import organisations, users or labelled stock from a CSV (UTF-8, ; or ,) or XLSX file.

    Columns (French or English names; docs/import-samples/): orgs: code, nom, type,
    adresse, horaires, territoire, latitude, longitude, gln; users: email, nom,
    organisation, admin, langue; stock: code, type, détenteur, propriétaire, état.
    """
    session = get_session()
    spec = KINDS[kind]
    if source.stat().st_size > MAX_BYTES:
        raise click.ClickException("The file is larger than 1 MiB: split it.")
    try:
        table = read_file(spec, source.read_bytes())
    except FileRefused as exc:
        raise click.ClickException(str(exc)) from None
    actor = _commissioner(by_email) if kind == "stock" else None
    outcome = run_import(session, spec, table, actor=actor, scope=Scope.WHOLE, apply=apply)
    _report(outcome)
    if not outcome.ok:
        session.rollback()
        click.echo(f"{len(outcome.faulty)} of {len(outcome.rows)} row(s) to fix: "
                   "nothing written.")
        raise SystemExit(1)
    if not apply:
        session.rollback()
        click.echo(f"{len(outcome.rows)} row(s) valid. Nothing written (dry run): "
                   "add --apply to import them.")
        return
    session.commit()
    click.echo(f"{outcome.count} row(s) imported ({kind}).")
    for email, password in outcome.passwords:
        click.echo(f"  {email:45} {password}")
    if outcome.passwords:
        click.echo("Temporary passwords, shown once: each must be changed at the first login.")
