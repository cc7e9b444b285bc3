"""The collection run: where returned stock waits, what the collector holds, delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from ...models import Container, ContainerType, Crate, Event, Organisation, User
from ..errors import ValidationError
from ..items.lookup import get_org
from ..movements import record_scan
from ..paging import PER_PAGE, Page, paginate

# Places a collector picks up from: not the washing site, not another van.
PICKUP_KINDS = ("restaurant", "collection_point", "event_organiser", "winegrower")


def _quantities(state: str):
    """(holder_id, type_id, quantity) of labelled containers and crate contents in `state`."""
    boxes = (select(Container.holder_id.label("holder_id"), Container.type_id.label("type_id"),
                    func.count().label("quantity"))
             .where(Container.state == state).group_by(Container.holder_id, Container.type_id))
    crates = (select(Crate.holder_id.label("holder_id"), Crate.type_id.label("type_id"),
                     func.sum(Crate.quantity).label("quantity"))
              .where(Crate.state == state, Crate.quantity > 0)
              .group_by(Crate.holder_id, Crate.type_id))
    return union_all(boxes, crates).subquery()


@dataclass
class Place:
    org: Organisation
    total: int
    by_type: list[tuple[str, int]] = field(default_factory=list)


def waiting_places(session: Session, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Places with returned stock waiting, the fullest first, with counts by type."""
    waiting = _quantities("returned")
    total = func.sum(waiting.c.quantity)
    stmt = (select(Organisation, total.label("total"))
            .join(waiting, waiting.c.holder_id == Organisation.id)
            .where(Organisation.kind.in_(PICKUP_KINDS))
            .group_by(Organisation.id).order_by(total.desc(), Organisation.name))
    result = paginate(session, stmt, page, per_page, scalars=False)
    places = {org.id: Place(org, int(count)) for org, count in result.items}
    if places:
        rows = session.execute(
            select(waiting.c.holder_id, ContainerType.name, func.sum(waiting.c.quantity))
            .join(ContainerType, ContainerType.id == waiting.c.type_id)
            .where(waiting.c.holder_id.in_(list(places)))
            .group_by(waiting.c.holder_id, ContainerType.name).order_by(ContainerType.name)
        )
        for holder_id, type_name, count in rows:
            places[holder_id].by_type.append((type_name, int(count)))
    result.items = list(places.values())
    return result


@dataclass
class HeldRow:
    code: str
    kind: str
    type_name: str
    quantity: int
    since: datetime | None


def _collected_at(model, column):
    """When the item was last picked up (its own events, by index)."""
    return (select(func.max(Event.occurred_at))
            .where(column == model.id, Event.action == "collect")
            .correlate(model).scalar_subquery())


def held(session: Session, collector_id: int, *, page: int = 1,
         per_page: int = PER_PAGE) -> Page:
    """What the collector picked up and has not delivered yet, oldest first."""
    parts = [
        select(model.code.label("code"), literal(model.kind).label("kind"),
               ContainerType.name.label("type_name"), quantity.label("quantity"),
               func.coalesce(_collected_at(model, column), model.last_event_at).label("since"))
        .join(ContainerType, ContainerType.id == model.type_id)
        .where(model.holder_id == collector_id, model.state == "collected")
        for model, quantity, column in ((Container, literal(1), Event.container_id),
                                        (Crate, Crate.quantity, Event.crate_id))
    ]
    sub = union_all(*parts).subquery()
    stmt = select(sub).order_by(sub.c.since.asc(), sub.c.code)
    result = paginate(session, stmt, page, per_page, scalars=False)
    result.items = [HeldRow(*row) for row in result.items]
    return result


def held_counts(session: Session, collector_id: int) -> list[tuple[str, int]]:
    """Quantities held (collected, not delivered) by type."""
    held_q = _quantities("collected")
    rows = session.execute(
        select(ContainerType.name, func.sum(held_q.c.quantity))
        .join(ContainerType, ContainerType.id == held_q.c.type_id)
        .where(held_q.c.holder_id == collector_id)
        .group_by(ContainerType.name).order_by(ContainerType.name)
    )
    return [(name, int(count)) for name, count in rows]


def washing_sites(session: Session) -> list[Organisation]:
    """Where a collector delivers."""
    return list(session.scalars(
        select(Organisation).where(Organisation.kind == "washing_site",
                                   Organisation.active.is_(True)).order_by(Organisation.name)
    ))


def deliver_all(session: Session, *, actor: User, to: str) -> int:
    """Deliver everything the actor holds collected to a washing site; the number of scans.

    One event per container or crate (each keeps its own history); all or nothing.
    """
    site = get_org(session, to)
    if site.kind != "washing_site":
        raise ValidationError(_l("Livrez à un site de lavage."))
    codes = list(session.scalars(
        union_all(
            select(Container.code).where(Container.holder_id == actor.org_id,
                                         Container.state == "collected"),
            select(Crate.code).where(Crate.holder_id == actor.org_id,
                                     Crate.state == "collected"),
        )
    ))
    if not codes:
        raise ValidationError(_l("Rien à livrer : vous ne détenez rien de collecté."))
    for code in codes:
        record_scan(session, actor=actor, code=code, action="deliver", to=site.code)
    return len(codes)
