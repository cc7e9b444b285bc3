"""`export impact` and `export epcis`: the monthly report and the month's events as files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..db.database import get_read_session, get_session
from ..reports import EXTENSIONS, FORMATS, build_monthly_report, render
from ..services.errors import BouteillesError, ValidationError
from ..services.exports.epcis_month import export_epcis_month
from ..services.periods import FIRST_YEAR, LAST_YEAR, parse_month
from ..services.territories import Scope, scope_for_code

export_cli = AppGroup("export", help="Monthly impact report and EPCIS 2.0 exports.")


def _month(_ctx, _param, value: str) -> str:
    try:
        return parse_month(value)
    except ValidationError:
        raise click.BadParameter(
            f"{value!r}: expected YYYY-MM, from {FIRST_YEAR}-01 to {LAST_YEAR}-12") from None


def _territory(code: str | None) -> Scope:
    """The territory of `--territory CODE` (none: the whole network)."""
    try:
        return scope_for_code(get_session(), Scope.WHOLE, code)
    except BouteillesError as exc:
        raise click.BadParameter(str(exc), param_hint="--territory") from None


@export_cli.command("impact")
@click.option("--month", required=True, callback=_month, help="YYYY-MM (Paris calendar).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
              help="Default: from the file name's extension.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--org", "org_code", help="One organisation (default: the whole network).")
@click.option("--territory", "territory", help="One territory's code (default: the whole "
                                               "network).")
def export_impact(month: str, fmt: str | None, output: Path, org_code: str | None,
                  territory: str | None) -> None:
    """Write the monthly impact report (csv: a zip of CSV files; xlsx or pdf)."""
    suffix = output.suffix.lstrip(".").lower()
    fmt = fmt or {ext: name for name, ext in EXTENSIONS.items()}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise click.BadParameter(f"use --format {'|'.join(FORMATS)}", param_hint="--format")
    scope = _territory(territory)
    try:
        report = build_monthly_report(get_session(), month, org_code or None, scope=scope,
                                      network_name=current_app.config.get("NETWORK_NAME",
                                                                          "Bouteilles"))
    except BouteillesError as exc:
        raise click.ClickException(str(exc)) from None
    data = render(report, fmt)
    output.write_bytes(data)
    t = report.totals
    click.echo(f"{output}: {fmt}, {len(data)} bytes; {t.batches} batches, "
               f"{t.containers_reused} containers reused, {t.co2e_avoided_g} g CO2e avoided, "
               f"{t.waste_avoided_g} g waste avoided.")


@export_cli.command("epcis")
@click.option("--month", required=True, callback=_month, help="YYYY-MM (Paris calendar).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--org", "org_code", help="One organisation's events (default: all).")
@click.option("--territory", "territory", help="The events recorded in one territory and "
                                               "its batches (default: all).")
def export_epcis(month: str, output: Path, org_code: str | None, territory: str | None) -> None:
    """Write the month's events as an EPCIS 2.0 JSON-LD document (streamed to the file)."""
    size = 0
    scope = _territory(territory)
    try:
        chunks = export_epcis_month(get_read_session(), month, org_code=org_code or None,
                                    base_url=current_app.config["BASE_URL"],
                                    config=current_app.config, scope=scope)
        with output.open("w", encoding="utf-8") as out:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
    except BouteillesError as exc:
        output.unlink(missing_ok=True)
        raise click.ClickException(str(exc)) from None
    click.echo(f"{output}: EPCIS 2.0 JSON-LD, {size} characters.")
