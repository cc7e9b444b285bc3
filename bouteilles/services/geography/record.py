"""What the record says about where objects travel, as SQL aggregates.

Inbound: a `collect` took objects from a place (its `from_holder`: a
restaurant, a collection point…); the place they next arrived at a washing
site (a `collect` or `deliver` whose holder is a site, the same event when the
site collected them itself) is that loop's site. Outbound: a `deliver` brought
clean objects to a place; the `deliver` that last took them out of a washing
site (the same event when the site delivered them itself) names the site.
Each pair is summed over the window by quantity; undone events do not count.
The "next" and "last" events are window functions (LEAD, LAG) over the item's
collects and deliveries in time order: one scan of the window for both
directions, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased

from ...models import ContainerType, Event, Organisation
from ..territories import Scope

SITE = "washing_site"
# Organisations that carry or coordinate, not places a loop starts or ends at.
NOT_PLACES = ("washing_site", "collector", "coordinator")
ITEMS = ("container_id", "crate_id")


def _not_undone(event, before: datetime | None = None) -> object:
    """No undo of the event (recorded before `before`: an ended window stays as it was)."""
    undo = aliased(Event, name="undo")
    recorded = [undo.recorded_at < before] if before is not None else []
    return ~exists(select(undo.id).where(undo.undoes_id == event.id, *recorded))


def _before(earlier, event) -> object:
    return or_(earlier.occurred_at < event.occurred_at,
               and_(earlier.occurred_at == event.occurred_at, earlier.id <= event.id))


def _window(event, start: datetime, end: datetime) -> list:
    """Events of [start, end) recorded before `end` (an ended month stays as it was)."""
    return [event.occurred_at >= start, event.occurred_at < end, event.recorded_at < end]


def _of_kind(*kinds: str, but: tuple[str, ...] = ()) -> object:
    """The ids of the organisations of `kinds` (or of every kind but `but`)."""
    kind = Organisation.kind
    return select(Organisation.id).where(kind.not_in(but) if but else kind.in_(kinds))


def _recorded_in(scope: Scope) -> object:
    """The moves a territory's loops are read from: those recorded there, and those
    recorded by members of no territory (the coordination's, rows older than the
    territories). A territory of a national network reads a fraction of the window."""
    if scope.whole:
        return true()
    return or_(Event.territory_id == scope.territory_id, Event.territory_id.is_(None))


def _legs(start: datetime, end: datetime, scope: Scope) -> object:
    """The window's collects and deliveries, one row each, in each item's order (one
    scan of the window for both directions): a pickup at a place with the site the
    item next arrived at, a clean drop at a place with the site it last left. A
    territory's: the moves recorded there (`_recorded_in`)."""
    sites = _of_kind(SITE)
    places = _of_kind(but=NOT_PLACES)
    arrival = case((Event.holder_id.in_(sites), Event.holder_id))
    departure = case((and_(Event.action == "deliver", Event.from_holder_id.in_(sites)),
                      Event.from_holder_id))
    order = {"partition_by": (Event.container_id, Event.crate_id),
             "order_by": (Event.occurred_at, Event.id)}
    pickup = and_(Event.action == "collect", Event.from_holder_id.in_(places))
    drop = and_(Event.action == "deliver", Event.to_state == "clean",
                Event.holder_id.in_(places))
    return (select(case((pickup, "in"), (drop, "out")).label("way"),
                   Event.from_holder_id, Event.holder_id, Event.type_id, Event.quantity,
                   func.coalesce(arrival, func.lead(arrival).over(**order)).label("site_in"),
                   func.coalesce(departure, func.lag(departure).over(**order))
                   .label("site_out"))
            .where(Event.action.in_(("collect", "deliver")), _not_undone(Event, end),
                   _recorded_in(scope), *_window(Event, start, end))
            .subquery("legs"))


def loop_legs(session: Session, start: datetime, end: datetime, scope: Scope = Scope.WHOLE,
              ) -> tuple[list[tuple[int, int, str, int]], list[tuple[int, int, str, int]]]:
    """Inbound (origin id, site id, family, quantity) and outbound (destination id, site
    id, family, quantity) of the window, summed by pair and container family (a bottle
    and a box travel different loops), for the sites the scope sees. Inbound: each
    collect at a place, with the site where the item next arrived (a collect or
    deliver whose holder is a site: the same event when the site collected it).
    Outbound: each clean delivery to a place, with the site the item last left (a
    deliver from a site: the same event when the site delivered it)."""
    legs = _legs(start, end, scope)
    place = case((legs.c.way == "in", legs.c.from_holder_id), else_=legs.c.holder_id)
    site = case((legs.c.way == "in", legs.c.site_in), else_=legs.c.site_out)
    rows = session.execute(
        select(legs.c.way, place, site, ContainerType.family, func.sum(legs.c.quantity))
        .join(ContainerType, ContainerType.id == legs.c.type_id)
        .where(legs.c.way.is_not(None), site.is_not(None), scope.orgs(site))
        .group_by(legs.c.way, place, site, ContainerType.family))
    inbound, outbound = [], []
    for way, *pair in rows:
        (inbound if way == "in" else outbound).append(tuple(pair))
    return inbound, outbound


def batch_origins(session: Session, batch_id: int) -> list[tuple[int, int]]:
    """(origin id, quantity) of a batch's scanned inputs: where the collect that last
    took each input was made (counted inputs have no origin)."""
    parts = []
    for item in ITEMS:
        wash = aliased(Event, name="w")
        collect = aliased(Event, name="c")
        origin_of = (select(collect.from_holder_id)
                     .where(getattr(collect, item) == getattr(wash, item),
                            collect.action == "collect", _before(collect, wash))
                     .order_by(collect.occurred_at.desc(), collect.id.desc()).limit(1)
                     .correlate(wash).scalar_subquery())
        parts.append(select(origin_of.label("place"), wash.quantity.label("quantity"))
                     .where(wash.batch_id == batch_id, wash.action == "wash",
                            getattr(wash, item).is_not(None), _not_undone(wash)))
    moves = union_all(*parts).subquery("moves")
    origin = aliased(Organisation, name="origin")
    rows = session.execute(
        select(moves.c.place, func.sum(moves.c.quantity))
        .join(origin, origin.id == moves.c.place)
        .where(origin.kind.not_in(NOT_PLACES))
        .group_by(moves.c.place))
    return [tuple(row) for row in rows]
