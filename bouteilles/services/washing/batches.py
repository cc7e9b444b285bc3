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
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..impact.figures import compute_batch_impact
from ..items.codes import new_code
from ..items.lookup import get_org, get_type, iso
from ..movements import close_batch_contents, record_scan

MAX_COUNT = 1_000_000


def _check_site(actor: User, batch: Batch | None = None) -> None:
    access.require(actor, "keep_batches")
    if (batch is not None and not access.may(actor, "oversee_network")
            and batch.site_id != actor.org_id):
        raise Forbidden(_l("Ce lot appartient à un autre site de lavage."))


def open_batch(session: Session, *, actor: User, type_code: str,
               site_code: str | None = None, opened_at: datetime | None = None) -> Batch:
    """Open a batch for one container type at a washing site."""
    _check_site(actor)
    ctype = get_type(session, type_code)
    site = get_org(session, site_code) if site_code else actor.org
    if site.kind != "washing_site":
        raise ValidationError(_l("« %(site)s » n'est pas un site de lavage.", site=site.code))
    if not access.may(actor, "oversee_network") and site.id != actor.org_id:
        raise Forbidden(_l("Vous ne pouvez ouvrir un lot que sur votre propre site."))
    batch = Batch(code="L-" + new_code(), type_id=ctype.id, site_id=site.id, type=ctype,
                  site=site, opened_by_id=actor.id, opened_at=opened_at or utcnow())
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


def add_inputs(session: Session, batch: Batch, *, actor: User, codes: list[str] = (),
               count: int | None = None, occurred_at: datetime | None = None) -> Batch:
    """Add scanned containers/crates (each a `wash` scan) and/or a counted quantity."""
    _check_site(actor, batch)
    if batch.status != "open":
        raise Conflict(_l("Le lot %(code)s est déjà clôturé.", code=batch.code))
    if count is not None and not 0 <= count <= MAX_COUNT:
        raise ValidationError(_l("Quantité hors limites (0 à %(n)s).", n=MAX_COUNT))
    for code in codes:
        record_scan(session, actor=actor, code=code, action="wash", batch=batch.code,
                    occurred_at=occurred_at)
    if count:
        batch.counted_inputs += count
        batch.inputs += count
    session.flush()
    session.refresh(batch)
    return batch


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
    closed_at: datetime | None = None,
) -> Batch:
    """Close a batch: check the balance, move its contents, compute its impact.

    Labelled containers still `washing` come out clean (cycles + 1); a broken one
    is rejected by scanning it before the close. Crates that went in come out
    empty; the clean counted output becomes one new crate at the site.
    """
    _check_site(actor, batch)
    if batch.status != "open":
        raise Conflict(_l("Le lot %(code)s est déjà clôturé.", code=batch.code))
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
    batch.factor_set_id = factor_set.id
    batch.co2e_avoided_g = impact.co2e_avoided_g
    batch.co2e_process_g = impact.co2e_process_g
    batch.waste_avoided_g = impact.waste_avoided_g
    batch.to_recycling_g = impact.to_recycling_g
    session.add_all(BatchReject(batch_id=batch.id, reason=r, count=n)
                    for r, n in sorted(rejected.items()) if n > 0)
    session.flush()
    return batch


def describe_batch(batch: Batch) -> dict:
    """The API description of a batch."""
    body = {
        "id": batch.id, "code": batch.code, "status": batch.status, "type": batch.type.code,
        "site": batch.site.code, "inputs": batch.inputs, "counted_inputs": batch.counted_inputs,
        "opened_at": iso(batch.opened_at),
    }
    if batch.status == "closed":
        body.update({
            "clean": batch.clean,
            "rejected": {r.reason: r.count for r in batch.rejects},
            "rejected_total": batch.rejected,
            "closed_at": iso(batch.closed_at),
            "impact": {
                "co2e_avoided_g": batch.co2e_avoided_g,
                "co2e_process_g": batch.co2e_process_g,
                "waste_avoided_g": batch.waste_avoided_g,
                "to_recycling_g": batch.to_recycling_g,
                "factor_set": batch.factor_set.code if batch.factor_set else None,
            },
        })
    return body
