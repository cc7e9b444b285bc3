"""Stock: counts of containers and crate quantities, by SQL aggregation."""

from __future__ import annotations

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from ...models import Container, ContainerType, Crate, Organisation
from ..territories import Scope


def stock_rows(session: Session, *, holder_id: int | None = None, type_id: int | None = None,
               state: str | None = None, scope: Scope = Scope.WHOLE) -> list[dict]:
    """Rows {holder, type, state, count}: labelled containers plus crate quantities,
    of the holders in `scope` (a territory's stock: what its members hold, whatever
    the objects' home territory)."""
    parts = []
    for model, amount in ((Container, func.count()), (Crate, func.sum(Crate.quantity))):
        stmt = select(
            model.holder_id.label("holder_id"), model.type_id.label("type_id"),
            model.state.label("state"), amount.label("count"), literal(model.kind).label("kind"),
        ).group_by(model.holder_id, model.type_id, model.state)
        if holder_id is not None:
            stmt = stmt.where(model.holder_id == holder_id)
        if not scope.whole:
            stmt = stmt.where(scope.orgs(model.holder_id))
        if type_id is not None:
            stmt = stmt.where(model.type_id == type_id)
        if state is not None:
            stmt = stmt.where(model.state == state)
        parts.append(stmt)
    sub = union_all(*parts).subquery()
    rows = session.execute(
        select(Organisation.code, ContainerType.code, sub.c.state, func.sum(sub.c.count))
        .join(Organisation, Organisation.id == sub.c.holder_id)
        .join(ContainerType, ContainerType.id == sub.c.type_id)
        .group_by(Organisation.code, ContainerType.code, sub.c.state)
        .order_by(Organisation.code, ContainerType.code, sub.c.state)
    )
    return [
        {"holder": holder, "type": ctype, "state": st, "count": int(count or 0)}
        for holder, ctype, st, count in rows
    ]
