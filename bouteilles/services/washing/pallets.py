"""Pallets at the washing site: those being filled with their progress, the clean
crates that top them up, and what is ready for the winegrowers.

The moves themselves (open, top up, release) are the movements package's
(`movements/pallets.py`); this reads and checks who asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import ContainerType, Crate, Label, Organisation, User
from .. import access
from ..errors import FieldError, NotFound
from ..items.lookup import find_item, parse_code
from ..movements import open_pallet, release_pallet, top_up_pallet

DEFAULT_CAPACITY = 1_200
MAX_SOURCES = 50


@dataclass(frozen=True)
class ReadyRow:
    """Released pallets of one type at one washing site."""

    site: str
    type_code: str
    type_name: str
    pallets: int
    bottles: int


def site_pallets(session: Session, site_id: int) -> list[Crate]:
    """The site's pallets in clean stock: being filled first, then released ones
    still on the site; newest first within each."""
    return list(session.scalars(
        select(Crate).where(Crate.holder_id == site_id, Crate.state == "clean",
                            Crate.capacity.is_not(None))
        .order_by(Crate.released_at.is_not(None), Crate.released_at.desc(),
                  Crate.id.desc()).limit(200)))


def sources(session: Session, site_id: int, type_id: int) -> list[Crate]:
    """Clean crates of the site, of the type, that can top a pallet up (the batches'
    output crates and the crates released from them), largest first."""
    return list(session.scalars(
        select(Crate).where(Crate.holder_id == site_id, Crate.state == "clean",
                            Crate.type_id == type_id, Crate.capacity.is_(None),
                            Crate.quantity > 0)
        .order_by(Crate.quantity.desc(), Crate.id.desc()).limit(MAX_SOURCES)))


def get_pallet(session: Session, actor: User, code: str, *, for_update: bool = False) -> Crate:
    """The site's pallet named by `code`: another holder's thing is refused (403)
    before anything is said about it; a code that is no pallet: 404."""
    access.require(actor, "washing_work")
    item = find_item(session, parse_code(code), for_update=for_update)
    if item is not None and item.holder_id != actor.org_id:
        access.require(actor, "oversee_network")  # 403: not this site's
    if not isinstance(item, Crate) or item.capacity is None:
        raise NotFound(_l("Aucune palette %(code)s sur votre site.", code=code[:40]))
    return item


def new_pallet(session: Session, *, actor: User, type_code: str, capacity: int) -> Crate:
    """Open an empty pallet at the actor's site."""
    access.require(actor, "washing_work")
    return open_pallet(session, actor=actor, type_code=type_code, capacity=capacity)


def top_up(session: Session, *, actor: User, pallet: Crate, source_code: str,
           quantity: int) -> Crate:
    """Top the pallet up with `quantity` from the site's clean crate `source_code`."""
    access.require(actor, "washing_work")
    source = find_item(session, parse_code(source_code), for_update=True)
    if not isinstance(source, Crate):
        raise FieldError("source", _l("Aucune caisse %(code)s.", code=source_code[:40]))
    return top_up_pallet(session, actor=actor, pallet=pallet, source=source, quantity=quantity)


def release(session: Session, *, actor: User, pallet: Crate) -> Crate:
    """Release the pallet with its label, full or early."""
    access.require(actor, "washing_work")
    return release_pallet(session, actor=actor, pallet=pallet)


def ready_pallets(session: Session) -> list[ReadyRow]:
    """Released pallets of clean bottles the washing sites hold, by site and type:
    what a winegrower can ask for by the pallet. One query (crates by holder and
    state: ix_crates_holder_state, the sites being few)."""
    rows = session.execute(
        select(Organisation.name, ContainerType.code, ContainerType.name,
               func.count(Crate.id), func.sum(Crate.quantity))
        .join(Organisation, Organisation.id == Crate.holder_id)
        .join(ContainerType, ContainerType.id == Crate.type_id)
        .where(Organisation.kind == "washing_site", Organisation.active.is_(True),
               Crate.state == "clean", Crate.capacity.is_not(None),
               Crate.released_at.is_not(None), Crate.quantity > 0,
               ContainerType.family == "bottle")
        .group_by(Organisation.name, ContainerType.code, ContainerType.name)
        .order_by(Organisation.name, ContainerType.code))
    return [ReadyRow(site, code, name, int(n), int(total or 0))
            for site, code, name, n, total in rows]


def label_code(session: Session, pallet: Crate) -> str:
    """The pallet's current label (a replaced one's new code)."""
    return session.scalar(select(Label.code).where(
        Label.crate_id == pallet.id, Label.detached_at.is_(None))) or pallet.code
