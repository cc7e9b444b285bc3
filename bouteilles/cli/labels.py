"""`flask --app bouteilles labels`: A4 sheets of QR labels (PDF), or one PNG/SVG label."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..db.database import get_session
from ..models import Organisation, User
from ..services.errors import BouteillesError
from ..services.labels.minting import MAX_LABELS, labels_for_codes, mint_labels, parse_code_list
from ..services.labels.rendering import LAYOUTS, render_png, render_sheet, render_svg

FORMATS = (".pdf", ".png", ".svg")


def _commissioner(email: str | None) -> User:
    """The user recorded as commissioning: --by EMAIL, else the first coordinator admin."""
    session = get_session()
    stmt = select(User).join(Organisation, Organisation.id == User.org_id)
    if email:
        user = session.scalar(stmt.where(User.email == email.strip().lower()))
    else:  # the cooperative first, else a washing site: both may commission
        user = session.scalar(
            stmt.where(Organisation.kind.in_(("coordinator", "washing_site")), User.active)
            .order_by(Organisation.kind != "coordinator", User.is_admin.desc(), User.id))
    if user is None:
        raise click.ClickException(
            f"No user {email}." if email else
            "No coordinator or washing-site user: create one (users create … --org …) "
            "or use --by.")
    return user


def render_labels(labels, suffix: str, layout: str, skip: int, outlines: bool) -> bytes:
    """The file's bytes for its suffix: a PDF sheet, or one PNG/SVG label."""
    if suffix == ".pdf":
        return render_sheet(labels, layout=layout, skip=skip, outlines=outlines)
    return render_png(labels[0]) if suffix == ".png" else render_svg(labels[0])


@click.command("labels")
@click.argument("codes", nargs=-1)
@click.option("--new", "new_count", type=click.IntRange(1, MAX_LABELS),
              help="Mint N new codes onto the sheet.")
@click.option("--type", "type_code", help="Container type of the new codes (e.g. bocal-500).")
@click.option("--holder", help="Commission the new codes at once, clean, held by this member.")
@click.option("--commission/--no-commission", default=None,
              help="Commission now (default when --holder is given) or on first scan.")
@click.option("--by", "by_email", help="User recorded as commissioning (default: coordinator).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.pdf (A4 sheets), FILE.png or FILE.svg (one label).")
@click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default="3x8", show_default=True)
@click.option("--skip", type=click.IntRange(0), default=0,
              help="Cells already used on the first sheet.")
@click.option("--outlines", is_flag=True, help="Draw the label outlines (for test prints).")
@click.option("--gs1", is_flag=True, help="Encode the GS1 Digital Link (needs GS1_COMPANY_PREFIX).")
@with_appcontext
def labels_command(codes, new_count, type_code, holder, commission, by_email, output, layout,
                   skip, outlines, gs1) -> None:
    """Print QR labels for CODES, or for --new N codes of --type T."""
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise click.BadParameter("the output ends in .pdf, .png or .svg", param_hint="-o")
    if bool(codes) == bool(new_count):
        raise click.UsageError("Give either CODES or --new N --type T.")
    if new_count and not type_code:
        raise click.UsageError("--new needs --type (e.g. --type bocal-500).")
    if gs1 and not current_app.config.get("GS1_COMPANY_PREFIX"):
        raise click.UsageError("--gs1 needs GS1_COMPANY_PREFIX in the configuration.")
    if suffix != ".pdf" and (new_count or len(codes)) != 1:
        raise click.UsageError(f"A {suffix} file holds one label; use .pdf for more.")
    commission = bool(holder) if commission is None else commission
    session = get_session()
    try:
        if new_count:
            actor = _commissioner(by_email)
            minted = mint_labels(session, actor=actor, count=new_count, type_code=type_code,
                                 holder_code=holder, commission=commission)
        else:
            minted = parse_code_list("\n".join(codes))
        labels = labels_for_codes(session, minted, current_app.config, gs1=gs1)
        data = render_labels(labels, suffix, layout, skip, outlines)
    except (BouteillesError, ValueError) as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    output.write_bytes(data)
    session.commit()  # codes exist once their labels are on paper (or on disk)
    state = ("commissioned" if commission else "to commission on first scan") if new_count \
        else "existing codes"
    click.echo(f"{len(labels)} label(s) ({state}) written to {output}.")
