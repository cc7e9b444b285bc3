"""Washing batches: open, add inputs, close with clean and rejected counts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    MAX_ID,
    REJECT_REASONS,
    Batch,
    BatchReject,
    FactorSet,
    User,
    utcnow,
)
from .. import access
from ..errors import Conflict, FieldError, Forbidden, NotFound, ValidationError
from ..impact.figures import compute_batch_impact
from ..items.codes import new_code
from ..items.lookup import get_org, get_type, iso
from ..movements import close_batch_contents, record_scan
from ..territories import oversees
from .corrected import corrected_figures
from .usual import UNUSUAL_FACTOR, is_unusual, usual_inputs

MAX_COUNT = 1_000_000


def _check_site(actor: User, batch: Batch | None = None) -> None:
    access.require(actor, "keep_batches")
    if batch is not None and not oversees(actor, batch.site) and batch.site_id != actor.org_id:
        raise Forbidden(_l("Ce lot appartient à un autre site de lavage."))


def open_batch(session: Session, *, actor: User, type_code: str,
               site_code: str | None = None, opened_at: datetime | None = None) -> Batch:
    """Open a batch for one container type at a washing site."""
    _check_site(actor)
    ctype = get_type(session, type_code)
    site = get_org(session, site_code) if site_code else actor.org
    if site.kind != "washing_site":
        raise ValidationError(_l("« %(site)s » n'est pas un site de lavage.", site=site.code))
    if not oversees(actor, site) and site.id != actor.org_id:
        raise Forbidden(_l("Vous ne pouvez ouvrir un lot que sur votre propre site."))
    batch = Batch(code="L-" + new_code(), type_id=ctype.id, site_id=site.id, type=ctype,
                  site=site, territory_id=site.territory_id, opened_by_id=actor.id,
                  opened_at=opened_at or utcnow())
    session.add(batch)
    session.flush()
    return batch


def get_batch(session: Session, batch_id: int | str, *, for_update: bool = False) -> Batch:
    """A batch by id or code."""
    stmt = select(Batch)
    if isinstance(batch_id, int) or str(batch_id).isascii() and str(batch_id).isdigit():
        if not 0 < int(batch_id) <= MAX_ID:  # beyond any id; the driver would overflow
            raise NotFound(_l("Aucun lot %(id)s.", id=batch_id))
        stmt = stmt.where(Batch.id == int(batch_id))
    else:
        stmt = stmt.where(Batch.code == batch_id)
    if for_update:
        stmt = stmt.with_for_update(of=Batch)
    batch = session.scalar(stmt)
    if batch is None:
        raise NotFound(_l("Aucun lot %(id)s.", id=batch_id))
    return batch


def check_inputs(batch: Batch, *, actor: User, count: int | None,
                 max_count: int = MAX_COUNT) -> None:
    """Refuse inputs the batch cannot take: not its site's, closed, a count out of bounds
    (`max_count`: the app's MAX_BATCH_INPUT; more is a typing slip)."""
    _check_site(actor, batch)
    if batch.status != "open":
        raise Conflict(_l("Le lot %(code)s est déjà clôturé.", code=batch.code))
    if count is not None and count < 0:
        raise FieldError("count", _l("Un nombre ne peut pas être négatif."))
    if count is not None and count > max_count:
        raise FieldError("count", _l(
            "%(count)s entrées comptées d'un coup : c'est plus que le maximum de %(n)s par "
            "saisie. Vérifiez le nombre (un zéro de trop ?) ; un grand lot se saisit en "
            "plusieurs fois.", count=count, n=max_count))


def add_inputs(session: Session, batch: Batch, *, actor: User, codes: list[str] = (),
               count: int | None = None, occurred_at: datetime | None = None,
               max_count: int = MAX_COUNT) -> Batch:
    """Add scanned containers/crates (each a `wash` scan) and/or a counted quantity;
    all or nothing."""
    check_inputs(batch, actor=actor, count=count, max_count=max_count)
    for code in codes:
        record_scan(session, actor=actor, code=code, action="wash", batch=batch.code,
                    occurred_at=occurred_at)
    count_inputs(session, batch, count)
    return batch


def count_inputs(session: Session, batch: Batch, count: int | None) -> None:
    """Add `count` counted (not scanned) inputs to the batch; read it back as stored."""
    if count:
        batch.counted_inputs += count
        batch.inputs += count
    session.flush()
    session.refresh(batch)


def factor_set_in_force(session: Session, at: datetime | None = None) -> FactorSet:
    """The most recent factor set whose validity had started at `at` (default: now)."""
    found = session.scalar(
        select(FactorSet).where(FactorSet.valid_from <= (at or utcnow()))
        .order_by(FactorSet.valid_from.desc(), FactorSet.id.desc()).limit(1)
    )
    if found is None:
        raise NotFound(_l("Aucun jeu de facteurs d'impact : lancez « db upgrade »."))
    return found


def close_batch(
    session: Session, batch: Batch, *, actor: User, clean: int, rejected: dict[str, int],
    water_l: Decimal | None = None, electricity_kwh: Decimal | None = None,
    gas_kwh: Decimal | None = None, transport: list[dict] | None = None,
    closed_at: datetime | None = None, unusual_confirmed: bool | None = None,
    hours_worked: Decimal | None = None, insertion_hours: Decimal | None = None,
) -> Batch:
    """Close a batch: check the balance, move its contents, compute its impact.

    Labelled containers still `washing` come out clean (cycles + 1); a broken one
    is rejected by scanning it before the close. Crates that went in come out
    empty; the clean counted output becomes one new crate at the site.
    `unusual_confirmed`: False refuses inputs above ten times the site's usual
    batch (services/washing/usual.py) until the operator confirms (True); None
    asks nothing (a line's own software sends what it measured).
    """
    _check_site(actor, batch)
    if batch.status != "open":
        raise Conflict(_l("Le lot %(code)s est déjà clôturé.", code=batch.code))
    if unusual_confirmed is False:
        _check_usual(session, batch)
    if insertion_hours is not None and (hours_worked is None or insertion_hours > hours_worked):
        raise FieldError("insertion_hours", _l(
            "Les heures en insertion font partie des heures travaillées : au plus autant."))
    unknown = set(rejected) - set(REJECT_REASONS)
    if unknown:
        raise ValidationError(_l("Motifs de rebut inconnus : %(reasons)s.",
                                 reasons=", ".join(sorted(unknown))))
    n_rejected = sum(rejected.values())
    if clean + n_rejected != batch.inputs:
        raise ValidationError(_l(
            "Le compte ne tombe pas juste : %(clean)s propres + %(rej)s rebuts = %(total)s, "
            "mais le lot a %(inputs)s entrées.",
            clean=clean, rej=n_rejected, total=clean + n_rejected, inputs=batch.inputs,
        ))
    now = closed_at or utcnow()
    close_batch_contents(session, batch, actor=actor, clean=clean, now=now)
    factor_set = factor_set_in_force(session, now)
    try:
        impact = compute_batch_impact(
            family=batch.type.family, mass_g=batch.type.mass_g, n_in=batch.inputs, n_ok=clean,
            n_rej=n_rejected, factors=factor_set.values(), electricity_kwh=electricity_kwh,
            gas_kwh=gas_kwh, transport=transport or (),
        )
    except ValueError as exc:
        raise ValidationError(_l("Données d'impact invalides : %(detail)s.",
                                 detail=exc.args[0])) from None
    batch.status, batch.clean, batch.rejected = "closed", clean, n_rejected
    batch.closed_at, batch.closed_by_id = now, actor.id
    batch.water_l, batch.electricity_kwh, batch.gas_kwh = water_l, electricity_kwh, gas_kwh
    batch.transport = transport or None
    batch.hours_worked, batch.insertion_hours = hours_worked, insertion_hours
    batch.factor_set_id = factor_set.id
    batch.co2e_avoided_g = impact.co2e_avoided_g
    batch.co2e_process_g = impact.co2e_process_g
    batch.waste_avoided_g = impact.waste_avoided_g
    batch.to_recycling_g = impact.to_recycling_g
    session.add_all(BatchReject(batch_id=batch.id, reason=r, count=n)
                    for r, n in sorted(rejected.items()) if n > 0)
    session.flush()
    return batch


def _check_usual(session: Session, batch: Batch) -> None:
    usual = usual_inputs(session, batch)
    if is_unusual(batch.inputs, usual):
        raise FieldError("confirm_unusual", _l(
            "Ce lot a %(inputs)s entrées, plus de %(factor)s fois le lot habituel du site pour "
            "ce type (%(usual)s entrées : la médiane de ses derniers lots clôturés). Vérifiez "
            "les entrées, puis cochez « Je confirme » pour clôturer.",
            inputs=batch.inputs, factor=UNUSUAL_FACTOR, usual=round(usual)))


def describe_batch(session: Session, batch: Batch) -> dict:
    """The API description of a batch; a closed one's figures with its corrections."""
    body = {
        "id": batch.id, "code": batch.code, "status": batch.status, "type": batch.type.code,
        "site": batch.site.code, "inputs": batch.inputs, "counted_inputs": batch.counted_inputs,
        "opened_at": iso(batch.opened_at),
    }
    if batch.status == "closed":
        figures = corrected_figures(session, batch)
        body.update({
            "clean": figures.clean,
            "rejected": figures.rejects,
            "rejected_total": figures.rejected,
            "closed_at": iso(batch.closed_at),
            "impact": {**figures.impact(),
                       "factor_set": batch.factor_set.code if batch.factor_set else None},
            "corrections": figures.corrections,
        })
    return body
