"""Command line: `flask --app bouteilles …` (and the `bouteilles` script)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from ..db.database import get_session, upgrade_database
from ..demo.network import demo_logins, load_demo
from ..models import ORG_KINDS
from ..services.errors import BouteillesError
from ..services.geography.coordinates import set_coordinates
from ..services.geography.geocoder import locate_address
from ..services.geography.settings import geo_settings
from ..services.items.lookup import get_org
from ..services.members.accounts import create_org, create_user, get_user_by_email, issue_token
from ..services.members.management import change_password, reset_password
from ..services.movements import join_territory
from ..services.territories import create_territory, get_territory, territory_members
from .export import export_cli
from .imports import import_command
from .labels import labels_command
from .notify import notify
from .ops import OPS_COMMANDS

db_cli = AppGroup("db", help="Database schema.")
orgs_cli = AppGroup("orgs", help="Member organisations.")
users_cli = AppGroup("users", help="Users and API tokens.")
territories_cli = AppGroup("territories", help="Territories of the network.")


def _fail(exc: BouteillesError) -> None:
    get_session().rollback()
    raise click.ClickException(str(exc))


@db_cli.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema (with default types and factors)."""
    upgrade_database(current_app, revision)
    click.echo("Database is up to date.")


@click.command("demo")
@click.option("--scale", type=click.IntRange(min=1), default=None,
              help="Load instead a synthetic national network with about N events (bulk).")
@with_appcontext
def demo(scale: int | None) -> None:
    """Load the demo network (safe to run twice); print the demo logins."""
    if scale:
        from ..demo.synthetic import load_scale_cli
        load_scale_cli(scale)
        return
    session = get_session()
    loaded = load_demo(session)
    session.commit()
    click.echo("Demo network loaded." if loaded else "Demo network already present.")
    click.echo("Demo logins (password for all: tilleul-et-marnes):")
    for email, _password, name in demo_logins():
        click.echo(f"  {email:45} {name}")


@orgs_cli.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(ORG_KINDS))
@click.option("--address")
@click.option("--hours", "opening_hours")
@click.option("--gln", help="GS1 Global Location Number (13 digits).")
@click.option("--territory", "territory_code", help="Code of its territory (none: the whole "
              "network's; a coordinator without one coordinates every territory).")
@click.option("--lat", "latitude", type=click.FloatRange(-90, 90), help="Latitude (degrees).")
@click.option("--lon", "longitude", type=click.FloatRange(-180, 180),
              help="Longitude (degrees).")
def orgs_create(code: str, name: str, kind: str, address: str | None,
                opening_hours: str | None, gln: str | None, territory_code: str | None,
                latitude: float | None, longitude: float | None) -> None:
    """Create a member organisation."""
    session = get_session()
    try:
        territory = get_territory(session, territory_code) if territory_code else None
        create_org(session, code=code, name=name, kind=kind, address=address,
                   opening_hours=opening_hours, gln=gln,
                   territory_id=territory.id if territory else None,
                   latitude=latitude, longitude=longitude)
    except BouteillesError as exc:
        _fail(exc)
    session.commit()
    click.echo(f"Organisation {code} ({kind}) created.")


@orgs_cli.command("locate")
@click.argument("code")
@click.option("--lat", "latitude", type=click.FloatRange(-90, 90), help="Latitude (degrees).")
@click.option("--lon", "longitude", type=click.FloatRange(-180, 180),
              help="Longitude (degrees).")
@click.option("--from-address", is_flag=True,
              help="Look its address up with the address service (GEOCODER_URL).")
def orgs_locate(code: str, latitude: float | None, longitude: float | None,
                from_address: bool) -> None:
    """Set an organisation's coordinates (both, or --from-address; neither: unset)."""
    session = get_session()
    try:
        org = get_org(session, code)
        if from_address:
            found = locate_address(geo_settings(), org.address)
            latitude, longitude = found.latitude, found.longitude
        set_coordinates(session, org, latitude, longitude)
    except BouteillesError as exc:
        _fail(exc)
    session.commit()
    click.echo(f"Organisation {code}: {org.latitude}, {org.longitude}.")


@territories_cli.command("create")
@click.argument("code")
@click.option("--name", required=True)
def territories_create(code: str, name: str) -> None:
    """Create a territory (code: lower-case letters, digits and hyphens)."""
    session = get_session()
    try:
        create_territory(session, code=code, name=name)
    except BouteillesError as exc:
        _fail(exc)
    session.commit()
    click.echo(f"Territory {code} created.")


@territories_cli.command("list")
def territories_list() -> None:
    """List the territories and how many members each has."""
    session = get_session()
    for territory, members in territory_members(session):
        click.echo(f"{territory.code:20} {members:5} {territory.name}")


@territories_cli.command("assign")
@click.argument("code")
@click.argument("orgs", nargs=-1, required=True)
def territories_assign(code: str, orgs: tuple[str, ...]) -> None:
    """Put members in a territory ("-" for none), with the rows they recorded."""
    session = get_session()
    try:
        territory = None if code == "-" else get_territory(session, code)
        for org_code in orgs:
            join_territory(session, territory, get_org(session, org_code))
    except BouteillesError as exc:
        _fail(exc)
    session.commit()
    click.echo(f"{len(orgs)} organisation(s) now in {code}.")


@users_cli.command("create")
@click.argument("email")
@click.option("--org", "org_code", required=True)
@click.option("--password", help="At least 12 characters, not a common one; prompted "
              "when omitted.")
@click.option("--admin", is_flag=True, help="Administrator (coordinators only).")
@click.option("--name")
def users_create(email: str, org_code: str, password: str | None, admin: bool,
                 name: str | None) -> None:
    """Create a user of an organisation (role from the organisation's kind)."""
    session = get_session()
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        create_user(session, email=email, org=get_org(session, org_code), password=password,
                    name=name, admin=admin)
    except BouteillesError as exc:
        _fail(exc)
    session.commit()
    click.echo(f"User {email.lower()} created.")


@users_cli.command("password")
@click.argument("email")
@click.option("--password", help="The new password; prompted when omitted.")
@click.option("--temporary", is_flag=True,
              help="Print a generated temporary password, to be changed at the next login.")
def users_password(email: str, password: str | None, temporary: bool) -> None:
    """Set a user's password; every login of the user ends."""
    session = get_session()
    try:
        user = get_user_by_email(session, email)
        if temporary:
            password = reset_password(session, user, actor=None)
        else:
            if password is None:
                password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            change_password(session, user, new=password, confirm=password)
    except BouteillesError as exc:
        _fail(exc)
    session.commit()
    click.echo(password if temporary else f"Password of {user.email} changed.")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", help="What the token is for.")
def users_token(email: str, label: str | None) -> None:
    """Print a new API token for a user (shown once)."""
    session = get_session()
    try:
        _token, clear = issue_token(session, get_user_by_email(session, email), label)
    except BouteillesError as exc:
        _fail(exc)
    session.commit()
    click.echo(clear)


def register_commands(app: Flask) -> None:
    for command in (db_cli, orgs_cli, users_cli, territories_cli, demo):
        app.cli.add_command(command)
    app.cli.add_command(labels_command)
    app.cli.add_command(export_cli)
    app.cli.add_command(import_command)
    app.cli.add_command(notify)
    for command in OPS_COMMANDS:
        app.cli.add_command(command)
