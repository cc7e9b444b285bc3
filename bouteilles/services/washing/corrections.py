"""Correcting a closed batch's counts: who may, what is accepted, the impact after.

The washing site corrects its own batch within `CORRECTION_DAYS` of the close;
an admin coordinator corrects any batch at any time. The inputs stay what they
were: clean + rejected must still equal them. The impact is computed again
with the batch's own factor set, metered energy and transport, and the type's
mass and family as they were at the close; the correction records the
difference, which counts in the month it is made (ARCHITECTURE.md, "Corrections
and closed months"). The row is written by `movements.write_batch_correction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import (
    REJECT_REASONS,
    Batch,
    BatchCorrection,
    ContainerTypeRevision,
    Event,
    User,
    utcnow,
)
from .. import access
from ..errors import Conflict, Forbidden, ValidationError
from ..impact.figures import compute_batch_impact
from ..items.lookup import iso
from ..movements import write_batch_correction
from ..territories import oversees
from .batches import factor_set_in_force
from .corrected import IMPACT_FIGURES, BatchFigures, corrected_figures

CORRECTION_DAYS = 7
MAX_REASON = 500


@dataclass(frozen=True)
class Corrected:
    """A correction just made: its row, the batch's figures after it, the difference."""

    correction: BatchCorrection
    figures: BatchFigures
    impact_delta: dict[str, int]


def may_correct(actor: User, batch: Batch, now: datetime | None = None) -> bool:
    """Whether `actor` may correct `batch` now (its site within the days allowed,
    an admin of a coordination of its territory or of the whole network always)."""
    if batch.status != "closed":
        return False
    if access.may(actor, "administer"):
        return oversees(actor, batch.site)
    return (access.may(actor, "washing_work") and batch.site_id == actor.org_id
            and (now or utcnow()) - batch.closed_at <= timedelta(days=CORRECTION_DAYS))


def _check_access(actor: User, batch: Batch, now: datetime) -> None:
    if access.may(actor, "administer") and oversees(actor, batch.site):
        return
    if not access.may(actor, "washing_work") or batch.site_id != actor.org_id:
        raise Forbidden(_l("Seuls le site de lavage du lot et les administrateurs de la "
                           "coordination corrigent un lot."))
    if batch.closed_at is not None and now - batch.closed_at > timedelta(days=CORRECTION_DAYS):
        raise Forbidden(_l("Le lot %(code)s a été clôturé il y a plus de %(days)s jours : "
                           "seule la coordination peut encore le corriger.",
                           code=batch.code, days=CORRECTION_DAYS))


def type_at_close(session: Session, batch: Batch) -> tuple[str, int]:
    """The family and mass of the batch's type when it closed: its revisions since
    say what they were changed from, else they are unchanged."""
    values = {"family": batch.type.family, "mass_g": batch.type.mass_g}
    later = session.scalars(
        select(ContainerTypeRevision.old_values)
        .where(ContainerTypeRevision.type_id == batch.type_id,
               ContainerTypeRevision.changed_at > batch.closed_at,
               ContainerTypeRevision.action == "update")
        .order_by(ContainerTypeRevision.changed_at.desc(), ContainerTypeRevision.id.desc()))
    for old in later:  # newest first: the oldest change since the close is applied last
        values.update({k: v for k, v in (old or {}).items() if k in values})
    return values["family"], int(values["mass_g"])


def labelled_clean(session: Session, batch: Batch) -> int:
    """Labelled containers the close brought out clean (each recorded on its own)."""
    return session.scalar(
        select(func.count(Event.id)).where(
            Event.batch_id == batch.id, Event.action == "batch_close",
            Event.container_id.is_not(None), Event.to_state == "clean")) or 0


def _check_counts(session: Session, batch: Batch, clean: int, rejected: dict[str, int],
                  now_figures: BatchFigures) -> dict[str, int]:
    unknown = set(rejected) - set(REJECT_REASONS)
    if unknown:
        raise ValidationError(_l("Motifs de rebut inconnus : %(reasons)s.",
                                 reasons=", ".join(sorted(unknown))))
    if clean < 0 or any(n < 0 for n in rejected.values()):
        raise ValidationError(_l("Un nombre ne peut pas être négatif."))
    rejects = {r: n for r, n in sorted(rejected.items()) if n > 0}
    n_rejected = sum(rejects.values())
    if clean + n_rejected != batch.inputs:
        raise ValidationError(_l(
            "Le compte ne tombe pas juste : %(clean)s propres + %(rej)s rebuts = %(total)s, "
            "mais le lot a %(inputs)s entrées.",
            clean=clean, rej=n_rejected, total=clean + n_rejected, inputs=batch.inputs))
    if clean == now_figures.clean and rejects == now_figures.rejects:
        raise ValidationError(_l("Ces comptes sont déjà ceux du lot : rien à corriger."))
    labelled = labelled_clean(session, batch)
    if clean < labelled:
        raise ValidationError(_l(
            "%(n)s contenants étiquetés sont sortis propres de ce lot : le lot ne peut pas en "
            "compter moins. Un contenant trouvé cassé depuis s'écarte en le scannant.",
            n=labelled))
    return rejects


def correct_batch(session: Session, batch: Batch, *, actor: User, clean: int,
                  rejected: dict[str, int], reason: str,
                  now: datetime | None = None) -> Corrected:
    """Correct a closed batch's clean and rejected counts; the impact follows."""
    now = now or utcnow()
    _check_access(actor, batch, now)
    if batch.status != "closed":
        raise Conflict(_l("Le lot %(code)s n'est pas clôturé : corrigez ses comptes en le "
                          "clôturant.", code=batch.code))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Dites pourquoi le lot est corrigé (le motif est "
                                 "obligatoire)."))
    if len(reason) > MAX_REASON:
        raise ValidationError(_l("Un motif de %(max)s caractères au plus.", max=MAX_REASON))
    before = corrected_figures(session, batch)
    rejects = _check_counts(session, batch, clean, rejected, before)
    family, mass_g = type_at_close(session, batch)
    factor_set = batch.factor_set or factor_set_in_force(session, batch.closed_at)
    try:
        impact = compute_batch_impact(
            family=family, mass_g=mass_g, n_in=batch.inputs, n_ok=clean,
            n_rej=sum(rejects.values()), factors=factor_set.values(),
            electricity_kwh=batch.electricity_kwh, gas_kwh=batch.gas_kwh,
            transport=batch.transport or ())
    except ValueError as exc:
        raise ValidationError(_l("Données d'impact invalides : %(detail)s.",
                                 detail=exc.args[0])) from None
    after = impact.as_dict()
    delta = {key: after[key] - getattr(before, key) for key in IMPACT_FIGURES}
    correction = write_batch_correction(
        session, batch, actor=actor, made_at=now, reason=reason,
        before=(before.clean, before.rejects), after=(clean, rejects), mass_g=mass_g,
        impact_delta=delta)
    figures = BatchFigures(clean=clean, rejected=sum(rejects.values()), rejects=rejects,
                           corrections=before.corrections + 1, **after)
    return Corrected(correction, figures, delta)


def describe_correction(correction: BatchCorrection) -> dict:
    """The API description of a correction."""
    return {
        "id": correction.id, "made_at": iso(correction.made_at),
        "made_by": correction.made_by.email if correction.made_by else None,
        "reason": correction.reason,
        "clean_before": correction.clean_before, "rejected_before": correction.rejected_before,
        "clean_after": correction.clean_after, "rejected_after": correction.rejected_after,
    }
