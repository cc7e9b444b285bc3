"""Pallets filled at the washing site: opened empty with a capacity, topped up from
the clean output on the site, released (full or early) with their label.

A pallet is a crate with a `capacity`. Topping it up moves a counted quantity
from a clean crate of the site into it: two `deliver` events at the site, the
source's quantity down (`split_off`, as a crate split on purpose) and the
pallet's up (`topped_up`); neither is a recount. A release writes no event (the
bottles do not move): it dates the pallet (`released_at`), which then shows as
ready to the winegrowers while the site holds it clean.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Crate, Event, User, utcnow
from .. import lifecycle
from ..errors import Conflict, FieldError, Forbidden, ValidationError
from .commission import create_crate
from .scans import apply_event

MAX_CAPACITY = 100_000


def open_pallet(session: Session, *, actor: User, type_code: str, capacity: int) -> Crate:
    """A new empty pallet of one type at the actor's site, to fill up to `capacity`."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise FieldError("capacity", _l("Capacité hors limites (1 à %(n)s).", n=MAX_CAPACITY))
    pallet = create_crate(session, actor=actor, type_code=type_code, quantity=0,
                          holder_code=actor.org.code, state="clean")
    pallet.capacity = capacity
    session.flush()
    return pallet


def check_pallet(pallet: Crate, actor: User) -> None:
    """Refuse a pallet that is not the actor's site's, or no longer being filled."""
    if pallet.capacity is None:
        raise ValidationError(_l("La caisse %(code)s n'est pas une palette.", code=pallet.code))
    if pallet.holder_id != actor.org_id:
        raise Forbidden(_l("Cette palette n'est pas sur votre site."))
    if pallet.released_at is not None:
        raise Conflict(_l("La palette %(code)s est déjà libérée.", code=pallet.code))
    if pallet.state != "clean":
        raise Conflict(_l("La palette %(code)s n'est plus en stock propre.", code=pallet.code))


def top_up_pallet(session: Session, *, actor: User, pallet: Crate, source: Crate,
                  quantity: int, now: datetime | None = None) -> Crate:
    """Move `quantity` clean containers from `source` (a crate of the site) into the
    pallet, never past its capacity. Both rows are expected locked (FOR UPDATE)."""
    check_pallet(pallet, actor)
    if source.id == pallet.id or source.capacity is not None:
        raise FieldError("source", _l("Choisissez une caisse de sortie de lavage, pas une "
                                      "palette."))
    if source.holder_id != actor.org_id or source.state != "clean":
        raise FieldError("source", _l("La caisse %(code)s n'est pas du stock propre de votre "
                                      "site.", code=source.code))
    if source.type_id != pallet.type_id:
        raise FieldError("source", _l("La caisse %(code)s porte « %(type)s », la palette "
                                      "« %(wanted)s ».", code=source.code,
                                      type=source.type.name, wanted=pallet.type.name))
    room = pallet.capacity - pallet.quantity
    if quantity > room:
        raise FieldError("quantity", _l(
            "La palette est à %(quantity)s / %(capacity)s : elle ne prend plus que %(room)s "
            "bouteilles. Ajoutez-en au plus %(room)s, ou libérez-la.",
            quantity=pallet.quantity, capacity=pallet.capacity, room=room))
    if quantity < 1:
        raise FieldError("quantity", _l("Ajoutez au moins une bouteille."))
    if quantity > source.quantity:
        raise FieldError("quantity", _l("La caisse %(code)s n'en porte que %(n)s.",
                                        code=source.code, n=source.quantity))
    now = now or utcnow()
    _move(session, actor, source, -quantity, {"split_off": quantity, "into": pallet.code}, now)
    _move(session, actor, pallet, quantity, {"topped_up": quantity, "from": source.code}, now)
    return pallet


def _move(session: Session, actor: User, crate: Crate, delta: int, detail: dict,
          now: datetime) -> None:
    """One crate's part of a top-up: a `deliver` at the site changing its count."""
    rule = lifecycle.decide("deliver", crate.state)
    event = Event(
        action="deliver", code=crate.code, crate_id=crate.id, type_id=crate.type_id,
        org_id=actor.org_id, user_id=actor.id, from_holder_id=crate.holder_id,
        holder_id=crate.holder_id, from_state=crate.state, to_state=rule.to_state,
        quantity=crate.quantity + delta, quantity_delta=delta, detail=detail,
        territory_id=actor.territory_id, occurred_at=now, recorded_at=now,
    )
    session.add(event)
    session.flush()
    apply_event(crate, event)
    session.flush()


def release_pallet(session: Session, *, actor: User, pallet: Crate,
                   now: datetime | None = None) -> Crate:
    """Release the pallet, full or early (not empty): ready for the winegrowers."""
    check_pallet(pallet, actor)
    if pallet.quantity == 0:
        raise ValidationError(_l("Une palette vide ne se libère pas : remplissez-la d'abord."))
    pallet.released_at = now or utcnow()
    session.flush()
    return pallet
