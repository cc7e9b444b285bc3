"""Who owns what: the stock counted by owner, and the organisations that may own.

An object's owner (`owner_id`: the cooperative's pool, a member that bought it, a
territory that was handed it) is distinct from its holder, who has it in hand;
`movements.transfer_ownership` changes it. Counted by SQL aggregation, like the
stock by holder (`stock.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ...models import Container, ContainerType, Crate, Organisation
from ..territories import Scope


@dataclass(frozen=True)
class OwnedStock:
    """One line of the stock by owner: what an owner has of a type in a state."""

    owner_code: str
    owner_name: str
    type_name: str
    state: str
    count: int


def owned_stock(session: Session, *, scope: Scope = Scope.WHOLE,
                owner_id: int | None = None) -> list[OwnedStock]:
    """Labelled containers plus crate quantities by owner, type and state (rejected and
    lost left out: they are no longer stock); a territory's: the objects its members
    own or hold."""
    parts = []
    for model, amount in ((Container, func.count()), (Crate, func.sum(Crate.quantity))):
        stmt = (select(model.owner_id.label("owner_id"), model.type_id.label("type_id"),
                       model.state.label("state"), amount.label("count"),
                       literal(model.kind).label("kind"))
                .where(model.state.not_in(("rejected", "lost")))
                .group_by(model.owner_id, model.type_id, model.state))
        if owner_id is not None:
            stmt = stmt.where(model.owner_id == owner_id)
        if not scope.whole:
            stmt = stmt.where(or_(scope.orgs(model.owner_id), scope.orgs(model.holder_id)))
        parts.append(stmt)
    sub = union_all(*parts).subquery()
    rows = session.execute(
        select(Organisation.code, Organisation.name, ContainerType.name, sub.c.state,
               func.sum(sub.c.count), may_own(scope))
        .join(Organisation, Organisation.id == sub.c.owner_id)
        .join(ContainerType, ContainerType.id == sub.c.type_id)
        .group_by(Organisation.code, Organisation.name, ContainerType.name, sub.c.state,
                  Organisation.territory_id, Organisation.kind, Organisation.active)
        .order_by(Organisation.name, ContainerType.name, sub.c.state))
    found: dict[tuple[str, str, str, str], int] = {}
    for code, name, type_name, state, count, seen in rows:
        # Another territory's owner (its objects held here): not named to this one.
        key = (code, name, type_name, state) if seen or scope.whole \
            else ("", "", type_name, state)
        found[key] = found.get(key, 0) + int(count or 0)
    return [OwnedStock(*key, count) for key, count in found.items() if count]  # no empty crates


def owned_total(session: Session, org_id: int) -> int:
    """How many objects (crate contents counted) the organisation owns, wherever they
    are (rejected and lost aside): for a member, those it bought from the pool."""
    return sum(row.count for row in owned_stock(session, owner_id=org_id))


def owner_totals(rows: list[OwnedStock]) -> list[tuple[str, str, int]]:
    """(code, name, total) per owner, in the rows' order."""
    totals: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.owner_code, row.owner_name)
        totals[key] = totals.get(key, 0) + row.count
    return [(code, name, total) for (code, name), total in totals.items()]


def may_own(scope: Scope):
    """The organisations a coordination of `scope` gives objects to: its territory's
    members and the national coordination (which hands objects from a territory to
    another, and sees every territory's names: a territory's page names no other's)."""
    national = (Organisation.territory_id.is_(None)) & (Organisation.kind == "coordinator")
    return Organisation.active & (scope.members() | national)


def possible_owners(session: Session, scope: Scope = Scope.WHOLE) -> list[tuple[str, str]]:
    """(code, name) of the organisations a coordination of `scope` may give objects to,
    by name."""
    return [tuple(row) for row in session.execute(
        select(Organisation.code, Organisation.name).where(may_own(scope))
        .order_by(Organisation.name))]
