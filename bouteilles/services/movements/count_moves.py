"""What a stock count moves (services/stocktakes.py decides what it found).

- `record_found_in_count`: a container counted at a site the record does not
  show holding it is brought there: a `deliver` to the site (the move that
  changes the holder and keeps the state), flagged `found_in_count` for the
  coordinator, written on the path of every container's move (`write_move`);
- `declare_count_loss`: a container a count did not find, declared lost by the
  coordination: a `lose` event, its deposit (a box lent) forfeited by the life
  cycle's rule.

The life cycle decides both (`decide_count_arrival`, `decide_count_loss`): a
refusal (a box with a customer, in a batch, lost or rejected) raises
InvalidTransition before anything is written, as a refused scan does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from .. import lifecycle
from ..members.accounts import Actor
from .container_move import move_container
from .move_plan import ContainerMove, Place


def record_found_in_count(conn: Connection, actor: Actor, *, code: str, site,
                          stocktake_id: int, now: datetime) -> ContainerMove | None:
    """Bring the container labelled `code` to `site` (an organisation: id, code,
    name), where a count found it; None if no container has that code."""
    return _count_move(conn, actor, code=code, to=Place(site.id, site.code, site.name), now=now,
                       detail={"stocktake": stocktake_id})


def declare_count_loss(conn: Connection, actor: Actor, *, code: str, stocktake_id: int,
                       now: datetime) -> ContainerMove | None:
    """Declare lost the container labelled `code`, which a count did not find."""
    return _count_move(conn, actor, code=code, to=None, now=now,
                       detail={"stocktake": stocktake_id})


def _count_move(conn: Connection, actor: Actor, *, code: str, to: Place | None,
                now: datetime, detail: dict) -> ContainerMove | None:
    """A count's move on the path of every container's move, decided by the life
    cycle's rules for counts."""
    if to is not None:
        action, rule = lifecycle.COUNT_ARRIVAL, lifecycle.decide_count_arrival
    else:
        action, rule = "lose", lifecycle.decide_count_loss
    return move_container(conn, actor, code=code, action=action, occurred_at=now, now=now,
                          to=to, detail=detail, decide=lambda box: rule(box.state))
