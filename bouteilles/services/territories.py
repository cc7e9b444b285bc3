"""Territories and what a coordinator sees: the network is a federation of
territories on one instance (models/territory.py).

A coordinator organisation with a territory coordinates that territory only;
one without coordinates the whole network. `Scope` is that answer for one user,
and every coordinator query takes it: `scope.orgs(column)` keeps the rows of
the territory's members, `scope.rows(column)` the rows whose own territory
column is the territory's. `Scope.WHOLE` is the network (the national
coordination, the command line).

A territory's rows are those of its members: a box lent in another territory,
the settlement between two members of different territories, shows in both
territories' reports; the object stays with its owner until a transfer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from ..models import (
    ContainerType,
    Organisation,
    Territory,
    TerritoryDeposit,
)
from .access import kind_of
from .errors import Conflict, Forbidden, NotFound, ValidationError

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


@dataclass(frozen=True)
class Scope:
    """The part of the network a reader sees: one territory, or all of it (None)."""

    territory_id: int | None = None
    territory_code: str | None = None
    territory_name: str | None = None

    WHOLE: ClassVar[Scope]

    @property
    def whole(self) -> bool:
        return self.territory_id is None

    def members(self) -> ColumnElement[bool]:
        """The condition on `Organisation` of the territory's members."""
        return true() if self.whole else Organisation.territory_id == self.territory_id

    def orgs(self, column) -> ColumnElement[bool]:
        """Rows whose organisation (`column`: an org id column) is a member."""
        if self.whole:
            return true()
        return column.in_(select(Organisation.id)
                          .where(Organisation.territory_id == self.territory_id))

    def rows(self, column) -> ColumnElement[bool]:
        """Rows whose own territory column (`column`) is the territory's."""
        return true() if self.whole else column == self.territory_id

    def sees(self, org: Organisation | None) -> bool:
        """Whether the organisation is one the reader sees."""
        return self.whole or (org is not None and org.territory_id == self.territory_id)

    def has_in_hand(self, *, home: int | None, holder: int | None) -> bool:
        """Whether the object is one the reader's coordination reads and corrects:
        its home territory (`home`) or its holder's (`holder`) is the reader's; the
        national coordination: any."""
        return self.whole or self.territory_id in (home, holder)

    def require(self, org: Organisation | None) -> None:
        """Refuse (403) an organisation of another territory."""
        if not self.sees(org):
            raise Forbidden(_l("Cette organisation n'est pas de votre territoire."))


Scope.WHOLE = Scope()


def scope_of(org: Organisation | None) -> Scope:
    """What a member of `org` sees as coordinator: its territory, or the whole network."""
    territory = org.territory if org is not None else None
    if territory is None:
        return Scope.WHOLE
    return Scope(territory.id, territory.code, territory.name)


def oversees(actor, org: Organisation) -> bool:
    """Whether `actor` (a User) coordinates `org`: a user of a coordination whose
    scope is the whole network or `org`'s territory."""
    return actor.org.kind == "coordinator" and scope_of(actor.org).sees(org)


def require_within(actor, *, home: int | None, holder: int | None) -> None:
    """A coordinator of a territory records and corrects the objects of its
    territory only: those whose home is there (`home`: the object's territory) or
    that one of its members holds (`holder`: the holder's territory). Other
    members are not concerned: a box of any territory is returned anywhere."""
    if kind_of(actor) != "coordinator" or Scope(actor.territory_id).has_in_hand(
            home=home, holder=holder):
        return
    raise Forbidden(_l("Cet objet est d'un autre territoire : c'est à sa coordination de le "
                       "corriger."))


def deposit_cents(session: Session, ctype: ContainerType, territory_id: int | None) -> int:
    """The deposit of a type in a territory: its own where it set one
    (`TerritoryDeposit`), else the type's. An object's is its home territory's."""
    if territory_id is None:
        return ctype.deposit_cents
    own = session.get(TerritoryDeposit, (territory_id, ctype.id))
    return ctype.deposit_cents if own is None else own.deposit_cents


def all_territories(session: Session) -> list[Territory]:
    return list(session.scalars(select(Territory).order_by(Territory.name)))


def territory_members(session: Session) -> list[tuple[Territory, int]]:
    """Each territory with its number of members."""
    count = (select(func.count(Organisation.id))
             .where(Organisation.territory_id == Territory.id).scalar_subquery())
    return [(t, n) for t, n in session.execute(select(Territory, count).order_by(Territory.code))]


def get_territory(session: Session, code: str) -> Territory:
    territory = session.scalar(select(Territory).where(Territory.code == (code or "").strip()))
    if territory is None:
        raise NotFound(_l("Aucun territoire « %(code)s ».", code=code))
    return territory


def scope_for_code(session: Session, reader: Scope, code: str | None) -> Scope:
    """The scope a reader asks for with `?territory=<code>`: their own when no code;
    a territory of theirs (a national reader: any); another one → 403."""
    if not code:
        return reader
    territory = get_territory(session, code)
    if not reader.whole and territory.id != reader.territory_id:
        raise Forbidden(_l("Ce territoire n'est pas le vôtre."))
    return Scope(territory.id, territory.code, territory.name)


def create_territory(session: Session, *, code: str, name: str) -> Territory:
    code = (code or "").strip()
    if not CODE.match(code):
        raise ValidationError(_l("Code « %(code)s » invalide : minuscules, chiffres et tirets, "
                                 "32 caractères au plus.", code=code))
    if not (name or "").strip():
        raise ValidationError(_l("Le nom est obligatoire."))
    if session.scalar(select(Territory.id).where(Territory.code == code)):
        raise Conflict(_l("Le territoire « %(code)s » existe déjà.", code=code))
    territory = Territory(code=code, name=name.strip()[:200])
    session.add(territory)
    session.flush()
    return territory
