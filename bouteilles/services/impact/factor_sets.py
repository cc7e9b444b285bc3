"""Impact factor sets: list, add a new version, edit one no figure was computed with.

A set that any batch references is read-only for ever: its figures have been
reported. Revising a factor means adding a new set (a copy of the one in
force, with the new values and a new code) valid from a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...models import Batch, Factor, FactorSet
from ..deposits import PARIS
from ..errors import Conflict, NotFound, ValidationError
from ..paging import Page, paginate
from .figures import FACTOR_KEYS

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_VALUE = Decimal(1_000_000)


@dataclass(frozen=True)
class FactorInput:
    """One factor as typed in the form (value still text)."""

    value: str
    unit: str
    source: str
    low: str = ""  # the range found in the sources (both or neither), for the sensitivity
    high: str = ""


def get_factor_set(session: Session, code: str) -> FactorSet:
    """A factor set by its code, or 404."""
    found = session.scalar(select(FactorSet).where(FactorSet.code == code)
                           .options(selectinload(FactorSet.factors)))
    if found is None:
        raise NotFound(_l("Jeu de facteurs inconnu « %(code)s ».", code=code[:64]))
    return found


def batches_using(session: Session, factor_set: FactorSet) -> int:
    """How many batches were computed with this set (0: it may still be edited)."""
    return int(session.scalar(select(func.count(Batch.id))
                              .where(Batch.factor_set_id == factor_set.id)) or 0)


def list_factor_sets(session: Session, *, page: int) -> Page:
    """Factor sets, newest validity first, each with the number of batches using it."""
    used = (select(func.count(Batch.id)).where(Batch.factor_set_id == FactorSet.id)
            .correlate(FactorSet).scalar_subquery())
    stmt = (select(FactorSet, used.label("batches")).options(selectinload(FactorSet.factors))
            .order_by(FactorSet.valid_from.desc(), FactorSet.id.desc()))
    return paginate(session, stmt, page, per_page=10, scalars=False)


def _value(key: str, raw: str) -> Decimal:
    text = (raw or "").strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or number > MAX_VALUE:
        raise ValidationError(_l("Facteur « %(key)s » : un nombre positif ou nul "
                                 "(reçu « %(raw)s »).",
                                 key=key, raw=(raw or "")[:40]))
    return number


def _range(key: str, given: FactorInput, value: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """The factor's range: both ends or neither, low ≤ value ≤ high."""
    low_text, high_text = (given.low or "").strip(), (given.high or "").strip()
    if not low_text and not high_text:
        return None, None
    if not low_text or not high_text:
        raise ValidationError(_l("Facteur « %(key)s » : la plage a deux bornes (basse et "
                                 "haute), ou aucune.", key=key))
    low, high = _value(key, low_text), _value(key, high_text)
    if not low <= value <= high:
        raise ValidationError(_l("Facteur « %(key)s » : la plage doit encadrer la valeur "
                                 "(basse ≤ valeur ≤ haute).", key=key))
    return low, high


def _checked(factors: dict[str, FactorInput]) -> dict[str, tuple]:
    """Every known factor with a number, a unit, a source, and its range (or None, None)."""
    missing = [k for k in FACTOR_KEYS if k not in factors]
    if missing:
        raise ValidationError(_l("Facteurs manquants : %(keys)s.", keys=", ".join(missing)))
    checked = {}
    for key, given in factors.items():
        if not KEY_RE.match(key):
            raise ValidationError(_l("Clé de facteur invalide « %(key)s ».", key=key[:40]))
        unit, source = given.unit.strip()[:64], given.source.strip()[:2000]
        if not unit or not source:
            raise ValidationError(_l("Facteur « %(key)s » : l'unité et la source sont "
                                     "obligatoires.",
                                     key=key))
        value = _value(key, given.value)
        checked[key] = (value, unit, source, *_range(key, given, value))
    return checked


def _valid_from(day: date | None) -> datetime:
    if day is None:
        raise ValidationError(_l("La date de début de validité est obligatoire (AAAA-MM-JJ)."))
    return datetime(day.year, day.month, day.day, tzinfo=PARIS)


def create_factor_set(session: Session, *, code: str, name: str, valid_from: date | None,
                      factors: dict[str, FactorInput]) -> FactorSet:
    """Add a new factor set; the batches closed from `valid_from` on will use it."""
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        raise ValidationError(_l("Code « %(code)s » : 2 à 64 caractères, minuscules, chiffres, "
                                 "« . », « - » ou « _ ».", code=code[:64]))
    if session.scalar(select(FactorSet.id).where(FactorSet.code == code)) is not None:
        raise Conflict(_l("Le jeu de facteurs « %(code)s » existe déjà : choisissez un autre code.",
                          code=code))
    name = (name or "").strip()[:200]
    if not name:
        raise ValidationError(_l("Le nom du jeu de facteurs est obligatoire."))
    checked = _checked(factors)
    factor_set = FactorSet(code=code, name=name, valid_from=_valid_from(valid_from))
    factor_set.factors = [Factor(key=k, value=v, unit=u, source=s, low=lo, high=hi)
                          for k, (v, u, s, lo, hi) in sorted(checked.items())]
    session.add(factor_set)
    session.flush()
    return factor_set


def update_factor_set(session: Session, factor_set: FactorSet, *, name: str,
                      valid_from: date | None, factors: dict[str, FactorInput]) -> FactorSet:
    """Edit a set no batch was computed with; a used set is refused (409)."""
    used = batches_using(session, factor_set)
    if used:
        raise Conflict(lazy_ngettext(
            "Le jeu de facteurs « %(code)s » a servi à calculer %(num)s lot : il est en lecture "
            "seule, pour que les chiffres publiés ne changent jamais. Créez un nouveau jeu à "
            "partir de celui-ci.",
            "Le jeu de facteurs « %(code)s » a servi à calculer %(num)s lots : il est en lecture "
            "seule, pour que les chiffres publiés ne changent jamais. Créez un nouveau jeu à "
            "partir de celui-ci.", used, code=factor_set.code))
    name = (name or "").strip()[:200]
    if not name:
        raise ValidationError(_l("Le nom du jeu de facteurs est obligatoire."))
    checked = _checked(factors)
    factor_set.name, factor_set.valid_from = name, _valid_from(valid_from)
    current = {f.key: f for f in factor_set.factors}
    for key, (value, unit, source, low, high) in checked.items():
        if key in current:
            factor = current[key]
            factor.value, factor.unit, factor.source = value, unit, source
            factor.low, factor.high = low, high
        else:
            factor_set.factors.append(Factor(key=key, value=value, unit=unit, source=source,
                                             low=low, high=high))
    session.flush()
    return factor_set
