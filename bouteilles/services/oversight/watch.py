"""What the coordinator watches: anomalies, and the audit of the event log.

Every list is one SQL query with LIMIT/OFFSET over indexed columns
(events: (anomaly, occurred_at), (org_id, occurred_at), (container_id, …),
(crate_id, …), occurred_at; containers and crates: (holder_id, state, type_id)).

A territory's coordination (`Scope`) sees the events its members recorded or
that left an object with one of them, and the objects one of its members holds
or that are of its territory (services/items/lookup.item_in_scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, literal_column, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased

from ...models import ACTIONS, Container, ContainerType, Crate, Event, Organisation, User, utcnow
from ...vocabulary import ANOMALIES
from .. import periods
from ..deposits import PARIS
from ..errors import ValidationError
from ..items.lookup import find_item, parse_code
from ..paging import Page, paginate
from ..territories import Scope

ANOMALY_VIEWS = ("events", "overdue", "undelivered", "recounts", "counted")
ANOMALY_CODES = ANOMALIES  # every flag a scan can carry, in the vocabulary's order
UNDELIVERED_AFTER = timedelta(days=2)


@dataclass
class EventFilter:
    """The filters of the anomaly and audit lists (all optional)."""

    code: str = ""
    org_id: int | None = None
    action: str = ""
    anomaly: str = ""
    date_from: date | None = None
    date_to: date | None = None
    scope: Scope = Scope.WHOLE


def parse_day(raw: str) -> date | None:
    """A YYYY-MM-DD date from a filter form (periods.parse_day), or None when empty."""
    raw = (raw or "").strip()
    return periods.parse_day(raw) if raw else None


def _paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=PARIS)


def _event_rows(session: Session, filters: EventFilter):
    """Events with their organisation, holder, type and user, filtered."""
    holder = aliased(Organisation)
    stmt = (
        select(Event, Organisation.code, holder.code, ContainerType.code, User.email)
        .join(Organisation, Organisation.id == Event.org_id)
        .join(holder, holder.id == Event.holder_id)
        .join(ContainerType, ContainerType.id == Event.type_id)
        .outerjoin(User, User.id == Event.user_id)
    )
    if not filters.scope.whole:
        stmt = stmt.where(or_(filters.scope.orgs(Event.org_id),
                              filters.scope.orgs(Event.holder_id)))
    if filters.code:
        code = parse_code(filters.code)
        item = find_item(session, code)
        if item is None:
            stmt = stmt.where(Event.code == code)
        elif isinstance(item, Container):
            stmt = stmt.where(Event.container_id == item.id)
        else:
            stmt = stmt.where(Event.crate_id == item.id)
    if filters.org_id is not None:
        stmt = stmt.where(Event.org_id == filters.org_id)
    if filters.action:
        if filters.action not in ACTIONS:
            raise ValidationError(_l("Action inconnue « %(action)s ».", action=filters.action))
        stmt = stmt.where(Event.action == filters.action)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationError(_l("La date de début est après la date de fin."))
    if filters.date_from:
        stmt = stmt.where(Event.occurred_at >= _paris_midnight(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(
            Event.occurred_at < _paris_midnight(filters.date_to + timedelta(days=1)))
    return stmt.order_by(Event.occurred_at.desc(), Event.id.desc())


def audit_events(session: Session, filters: EventFilter, *, page: int) -> Page:
    """The event log, newest first, filtered by object, member, action and dates."""
    return paginate(session, _event_rows(session, filters), page, scalars=False)


def anomaly_events(session: Session, filters: EventFilter, *, page: int) -> Page:
    """Scans accepted with an anomaly (skipped steps, unexpected holder…), newest first."""
    stmt = _event_rows(session, filters).where(Event.anomaly.is_not(None))
    if filters.anomaly:
        stmt = stmt.where(Event.anomaly == filters.anomaly)
    return paginate(session, stmt, page, scalars=False)


def recount_events(session: Session, filters: EventFilter, *, page: int) -> Page:
    """Crate scans whose counted quantity differed from the record."""
    # A literal 0 (not a bound parameter): the planners then use the partial index
    # ix_events_recount (migration 0005_scale_indexes) instead of reading the log.
    stmt = _event_rows(session, filters).where(Event.quantity_delta != literal_column("0"))
    return paginate(session, stmt, page, scalars=False)


def _objects_in(scope: Scope, model):
    """The objects a territory's coordination has in hand: held by one of its
    members, or of its territory."""
    if scope.whole:
        return true()
    return or_(scope.orgs(model.holder_id), scope.rows(model.territory_id))


def overdue_boxes(session: Session, *, overdue_days: int, page: int,
                  holder_id: int | None = None, now: datetime | None = None,
                  scope: Scope = Scope.WHOLE) -> Page:
    """Boxes with a customer for longer than `overdue_days`, oldest first."""
    cutoff = (now or utcnow()) - timedelta(days=overdue_days)
    stmt = (
        select(Container.code, ContainerType.code, Organisation.code, Organisation.name,
               Container.lent_at, Container.deposit_held_cents)
        .join(ContainerType, ContainerType.id == Container.type_id)
        .join(Organisation, Organisation.id == Container.holder_id)
        .where(Container.state == "in_use", Container.lent_at < cutoff,
               _objects_in(scope, Container))
        .order_by(Container.lent_at, Container.id)
    )
    if holder_id is not None:
        stmt = stmt.where(Container.holder_id == holder_id)
    return paginate(session, stmt, page, scalars=False)


def undelivered(session: Session, *, page: int, holder_id: int | None = None,
                now: datetime | None = None, scope: Scope = Scope.WHOLE) -> Page:
    """Containers and crates a collector picked up more than 2 days ago and still holds."""
    cutoff = (now or utcnow()) - UNDELIVERED_AFTER
    parts = []
    for model, kind, quantity in ((Container, "container", literal(1)),
                                  (Crate, "crate", Crate.quantity)):
        part = (
            select(literal(kind).label("kind"), model.code.label("code"),
                   ContainerType.code.label("type"), Organisation.code.label("holder"),
                   Organisation.name.label("holder_name"),
                   model.last_event_at.label("since"), quantity.label("quantity"))
            .join(ContainerType, ContainerType.id == model.type_id)
            .join(Organisation, Organisation.id == model.holder_id)
            .where(model.state == "collected", Organisation.kind == "collector",
                   model.last_event_at < cutoff, _objects_in(scope, model))
        )
        if holder_id is not None:
            part = part.where(model.holder_id == holder_id)
        parts.append(part)
    rows = union_all(*parts).subquery()
    stmt = select(rows).order_by(rows.c.since, rows.c.code)
    return paginate(session, stmt, page, scalars=False)


def anomaly_counts(session: Session, *, overdue_days: int,
                   scope: Scope = Scope.WHOLE) -> dict[str, int]:
    """How many of each kind of anomaly the scope has (for the dashboard)."""
    empty = EventFilter(scope=scope)
    return {
        "events": anomaly_events(session, empty, page=1).total,
        "overdue": overdue_boxes(session, overdue_days=overdue_days, page=1,
                                 scope=scope).total,
        "undelivered": undelivered(session, page=1, scope=scope).total,
        "recounts": recount_events(session, empty, page=1).total,
    }
