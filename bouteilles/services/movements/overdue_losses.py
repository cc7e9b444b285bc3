"""Boxes left with a customer too long, declared lost by the network itself.

A box still lent `LOST_DAYS` after its lend is written off: a `lose` event, as
the coordination's scan would record it (`container_move`, the one path of a
container's move), its deposit forfeited by the life cycle's rule; a box
brought back later is reinstated and refunded as any lost box. The event is
the coordination's of the box's home territory (else one without a
territory), with no user, and says in `detail` that it was automatic.

A lost box is no longer in use: a second run finds nothing more to declare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ORG_KINDS, Container, Organisation
from .. import access
from ..errors import BouteillesError
from ..members.accounts import Actor
from .container_move import move_container

# Whose boxes are with customers: the members that lend (the coordination,
# which may record a lend to correct the record, aside).
LENDERS = tuple(kind for kind in ORG_KINDS
                if access.may(kind, "lend") and not access.may(kind, "oversee_network"))


@dataclass(frozen=True)
class OverdueLoss:
    """A box declared lost: its code, the member that lent it, the `lose` event."""

    code: str
    lender_id: int
    event_id: int


def boxes_to_declare_lost(session: Session, *, lost_days: int, now: datetime) -> list:
    """(code, territory_id, holder_id) of every box lent before `now - lost_days` and
    still with its customer, oldest container first (what a dry run counts)."""
    session.flush()  # the statements below read the connection, not the session
    return list(session.execute(
        select(Container.code, Container.territory_id, Container.holder_id)
        .join(Organisation, Organisation.id == Container.holder_id)
        .where(Container.state == "in_use", Container.lent_at < now - timedelta(days=lost_days),
               Organisation.kind.in_(LENDERS))
        .order_by(Container.id)).all())


def declare_overdue_lost(session: Session, *, lost_days: int,
                         now: datetime) -> list[OverdueLoss]:
    """Declare lost every box lent before `now - lost_days` and still with its
    customer; the boxes declared. One query finds them, each is written by the
    scan's path; a box that moved meanwhile, or whose territory has no
    coordination, is left as it is."""
    overdue = boxes_to_declare_lost(session, lost_days=lost_days, now=now)
    if not overdue:
        return []
    coordinations = _coordinations(session)
    detail = {"automatic": True, "after_days": lost_days}
    conn = session.connection()
    declared = []
    for box in overdue:
        actor = coordinations.get(box.territory_id) or coordinations.get(None)
        if actor is None:
            continue
        try:
            move = move_container(conn, actor, code=box.code, action="lose", occurred_at=now,
                                  now=now, detail=detail)
        except BouteillesError:
            continue  # moved since the query (returned, already lost): nothing to declare
        if move is not None:
            declared.append(OverdueLoss(box.code, box.holder_id, move.event_id))
    return declared


def _coordinations(session: Session) -> dict[int | None, Actor]:
    """The acting coordination of each territory (None: one without a territory),
    the oldest active one where there are several."""
    rows = session.execute(
        select(Organisation.id, Organisation.code, Organisation.name, Organisation.territory_id)
        .where(Organisation.kind == "coordinator", Organisation.active.is_(True))
        .order_by(Organisation.id.desc())).all()
    return {row.territory_id: Actor(None, row.id, "coordinator", row.code,  # type: ignore[arg-type]
                                    row.name, row.territory_id) for row in rows}
