"""A collection closes the pickup request ("bac plein") of the member collected from.

Run where every collect is written (`container_move.write_move` for labelled
containers, whatever the path: a page, the API, the offline queue, the counter;
`scans._scan_crate` for crates), after the event: one UPDATE on
`pickup_requests` by its (status, org_id) index, for a `collect` only.

A collect closes the requests made before it happened (with the clock skew a
phone may have): a scan recorded offline before the member asked again does not
close the newer request. An undone collect leaves the request closed: the
collector came.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, update

from ...db.driver import DriverStatement
from ...models import PickupRequest
from ...models.base import UTCDateTime

# As scans.MAX_CLOCK_SKEW: how far ahead of the server a phone's clock may be.
CLOCK_SKEW = timedelta(minutes=10)

_p = PickupRequest.__table__
CLOSE_OPEN = DriverStatement(
    update(_p)
    .where(_p.c.status == "open", _p.c.org_id == bindparam("from_org_id"),
           _p.c.requested_at <= bindparam("asked_by", type_=UTCDateTime()))
    .values(status="closed", closed_at=bindparam("at", type_=UTCDateTime()),
            closed_by_org_id=bindparam("by_org_id"), closed_by_event_id=bindparam("event_id")))


def close_pickup_requests(conn: Connection, *, action: str, from_holder_id: int | None,
                          org_id: int, event_id: int, occurred_at: datetime) -> int:
    """Close the open request of the member a `collect` took things from; how many
    it closed (0 or 1). Nothing for any other action."""
    if action != "collect" or from_holder_id is None or from_holder_id == org_id:
        return 0
    return CLOSE_OPEN.run(conn, {"from_org_id": from_holder_id,
                                 "asked_by": occurred_at + CLOCK_SKEW, "at": occurred_at,
                                 "by_org_id": org_id, "event_id": event_id})
