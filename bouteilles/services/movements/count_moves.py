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

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection

from .. import lifecycle
from ..errors import Contended, InvalidTransition
from ..members.accounts import Actor
from ..territories import require_within
from .container_move import MAX_ATTEMPTS, _record_context, replaced, write_move
from .move_plan import ContainerMove, Place, plan_move, refund_rejected
from .statements import READ_BOX_RUN


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
    """Read, decide, write if unchanged (`container_move.move_container`'s loop)."""
    action = lifecycle.COUNT_ARRIVAL if to is not None else "lose"
    for _attempt in range(MAX_ATTEMPTS):
        box = READ_BOX_RUN[conn.dialect.name].first(conn, {"code": code})
        if box is None:
            return None
        if box.label_detached_at is not None:
            raise InvalidTransition(replaced(box.code))
        require_within(actor, home=box.territory_id, holder=box.holder_territory_id)
        rule = (lifecycle.decide_count_arrival(box.state) if to is not None
                else lifecycle.decide_count_loss(box.state))
        if rule.outcome == "refused":
            raise InvalidTransition(_l(rule.message, **_record_context(conn, box, actor)))
        planned = plan_move(box, actor, rule, action=action, occurred_at=now, now=now, to=to,
                            reason=None, idempotency_key=None, joined=None,
                            refund_rejected=refund_rejected())
        planned.event["detail"] = detail
        if write_move(conn, box, planned):
            return planned.move
        if conn.dialect.name == "sqlite":
            raise RuntimeError("a SQLite move was written without the write lock")
    raise Contended(_l("Cet objet est scanné ailleurs au même moment : réessayez."))
