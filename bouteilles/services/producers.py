"""Producers' labels at the washing site: whose bottles come out of washing with their
label, glue or residue still on, and the coordination's "ne se lave pas" flag.

Tracing. Which winegrower filled a bottle is known from its `fill` event (the
event's `org_id`). A washing-site move of the same object (a container, or a
crate moved whole) is the producer's whose fill is its last before it:

- washed: a `wash` of the object (its quantity: 1 a bottle, a crate's count);
- failed: the object rejected with a wash-failure reason (`FAILURE_REASONS`),
  after washing (a labelled bottle scanned « écarter » before the batch's close)
  or at sorting;
- the rate: failed ÷ (washed + failed at sorting), so at most 100 %.

What cannot be traced is left out, and the pages say so: rejects counted at a
batch's close (`batch_rejects`: a batch mixes producers), the crates split off
by a sort by count (new crates with no fill of their own), bottles received
loose by count. Undone moves do not count.

One SQL statement per page: from the producers' fills (by organisation and
time: ix_events_org_time; a territory's: ix_events_territory_action_time), the
later moves of each object (ix_events_container_time, ix_events_crate_time),
and no other fill between (the same indexes); undos by ix_events_undoes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ..models import Event, Organisation, ProducerLabelFlag, User, utcnow
from . import access
from .errors import Conflict, NotFound, ValidationError
from .items.lookup import get_org
from .periods import PARIS
from .territories import Scope

# The reject reasons that say the bottle did not wash clean: its label or glue, residue.
FAILURE_REASONS = ("label", "residue")
WINDOW_DAYS = 90
MONTHS = 12
MAX_NOTE = 500


@dataclass
class Figures:
    """A producer's bottles washed and failed over a period, failures by reason."""

    washed: int = 0
    failed_sorting: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(self.reasons.values())

    @property
    def handled(self) -> int:
        return self.washed + self.failed_sorting

    @property
    def rate(self) -> float | None:
        """Failed ÷ handled (None when nothing was handled)."""
        return self.failed / self.handled if self.handled else None

    @property
    def main_reason(self) -> str | None:
        return max(self.reasons, key=lambda r: (self.reasons[r], r)) if self.reasons else None

    def add(self, kind: str, reason: str | None, count: int) -> None:
        if kind == "washed":
            self.washed += count
            return
        if kind == "failed_sorting":
            self.failed_sorting += count
        self.reasons[reason] = self.reasons.get(reason, 0) + count


@dataclass
class ProducerRow:
    """One producer on the coordination's table."""

    code: str
    name: str
    figures: Figures
    flag: ProducerLabelFlag | None = None


@dataclass
class Month:
    start: datetime  # UTC, the month's first instant in Paris
    label: str  # YYYY-MM
    figures: Figures = field(default_factory=Figures)


@dataclass
class GrowerFailures:
    """A winegrower's own page: the last 90 days, each of the last 12 months, its flag."""

    recent: Figures
    months: list[Month]
    flag: ProducerLabelFlag | None


def _kind(e) -> object:
    return case((e.action == "wash", literal("washed")),
                (e.from_state == "washing", literal("failed_washing")),
                else_=literal("failed_sorting"))


def traced_moves(fills, start: datetime) -> Select:
    """Each washing-site move since `start` of an object a producer filled, with the
    producer of its last fill before it: (producer, occurred_at, kind, reason,
    quantity). `fills(f)`: the condition on the fill events `f` to start from."""
    parts = []
    for column in ("container_id", "crate_id"):
        f, e, g, u = (aliased(Event, name=n) for n in ("f", "e", "g", "u"))
        f_item, e_item, g_item = (getattr(x, column) for x in (f, e, g))
        later_fill = select(g.id).where(
            g_item == f_item, g_item.is_not(None), g.action == "fill",
            g.occurred_at > f.occurred_at, g.occurred_at <= e.occurred_at).exists()
        undone = select(u.id).where(u.undoes_id == e.id, u.undoes_id.is_not(None)).exists()
        parts.append(
            select(f.org_id.label("producer"), e.occurred_at.label("occurred_at"),
                   _kind(e).label("kind"), e.reason.label("reason"),
                   e.quantity.label("quantity"))
            .select_from(f)
            .join(e, and_(e_item == f_item, e_item.is_not(None),
                          e.occurred_at >= f.occurred_at, e.occurred_at >= start))
            .where(f_item.is_not(None), f.action == "fill", fills(f),
                   or_(e.action == "wash",
                       and_(e.to_state == "rejected", e.reason.in_(FAILURE_REASONS))),
                   ~later_fill, ~undone))
    return union_all(*parts)


def month_starts(now: datetime, count: int = MONTHS) -> list[tuple[datetime, str]]:
    """The first instants (UTC) of the last `count` Paris months, oldest first."""
    here = now.astimezone(PARIS).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = []
    year, month = here.year, here.month
    for _ in range(count):
        first = here.replace(year=year, month=month)
        starts.append((first.astimezone(now.tzinfo), f"{year:04d}-{month:02d}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def grower_failures(session: Session, org_id: int, *, now: datetime | None = None
                    ) -> GrowerFailures:
    """The winegrower's wash failures: last 90 days and each of the last 12 months
    (one statement), and its standing flag."""
    now = now or utcnow()
    starts = month_starts(now)
    recent_start = now - timedelta(days=WINDOW_DAYS)
    first = min(starts[0][0], recent_start)
    moves = traced_moves(lambda f: f.org_id == org_id, first).subquery()
    bucket = case(*((moves.c.occurred_at >= start, index)
                    for index, (start, _label) in reversed(list(enumerate(starts)))),
                  else_=-1)
    recent = case((moves.c.occurred_at >= recent_start, 1), else_=0)
    rows = session.execute(
        select(bucket, recent, moves.c.kind, moves.c.reason, func.sum(moves.c.quantity))
        .group_by(bucket, recent, moves.c.kind, moves.c.reason))
    months = [Month(start, label) for start, label in starts]
    figures = Figures()
    for index, is_recent, kind, reason, count in rows:
        if index >= 0:
            months[index].figures.add(kind, reason, int(count))
        if is_recent:
            figures.add(kind, reason, int(count))
    while len(months) > 1 and not months[0].figures.handled:  # before its first bottle back
        months.pop(0)
    return GrowerFailures(figures, months[::-1], standing_flag(session, org_id))


def producer_table(session: Session, scope: Scope, *, now: datetime | None = None
                   ) -> list[ProducerRow]:
    """The winegrowers the coordination sees, with their last 90 days and their
    standing flag, highest rate first (one statement)."""
    start = (now or utcnow()) - timedelta(days=WINDOW_DAYS)
    growers = select(Organisation.id).where(Organisation.kind == "winegrower", scope.members())
    moves = traced_moves(lambda f: and_(scope.rows(f.territory_id), f.org_id.in_(growers)),
                         start).subquery()
    stats = (select(moves.c.producer, moves.c.kind, moves.c.reason,
                    func.sum(moves.c.quantity).label("n"))
             .group_by(moves.c.producer, moves.c.kind, moves.c.reason).subquery())
    rows = session.execute(
        select(Organisation.code, Organisation.name, ProducerLabelFlag, stats.c.kind,
               stats.c.reason, stats.c.n)
        .outerjoin(stats, stats.c.producer == Organisation.id)
        .outerjoin(ProducerLabelFlag, and_(ProducerLabelFlag.org_id == Organisation.id,
                                           ProducerLabelFlag.cleared_at.is_(None)))
        .where(Organisation.kind == "winegrower", scope.members()))
    table: dict[str, ProducerRow] = {}
    for code, name, flag, kind, reason, count in rows:
        row = table.setdefault(code, ProducerRow(code, name, Figures(), flag))
        if kind is not None:
            row.figures.add(kind, reason, int(count))
    return sorted(table.values(), key=lambda r: (
        r.flag is None, -(r.figures.rate or 0), -r.figures.handled, r.name))


def standing_flag(session: Session, org_id: int) -> ProducerLabelFlag | None:
    """The producer's flag in force, if any."""
    return session.scalar(select(ProducerLabelFlag).where(
        ProducerLabelFlag.org_id == org_id, ProducerLabelFlag.cleared_at.is_(None)))


def _producer(session: Session, actor: User, scope: Scope, code: str) -> Organisation:
    access.require(actor, "administer")
    org = get_org(session, code)
    scope.require(org)
    if org.kind != "winegrower":
        raise ValidationError(_l("« %(name)s » n'est pas un vigneron.", name=org.name))
    return org


def flag_producer(session: Session, *, actor: User, scope: Scope, code: str,
                  note: str | None = None) -> ProducerLabelFlag:
    """Flag a winegrower's labels "ne se lave pas" (an administrator of its coordination)."""
    org = _producer(session, actor, scope, code)
    if standing_flag(session, org.id) is not None:
        raise Conflict(_l("Les étiquettes de %(name)s sont déjà signalées.", name=org.name))
    flag = ProducerLabelFlag(org_id=org.id, org=org, note=(note or "").strip()[:MAX_NOTE] or None,
                             flagged_at=utcnow(), flagged_by_id=actor.id)
    session.add(flag)
    session.flush()
    return flag


def unflag_producer(session: Session, *, actor: User, scope: Scope,
                    code: str) -> ProducerLabelFlag:
    """Clear the flag; its row stays, with who cleared it and when (the history)."""
    org = _producer(session, actor, scope, code)
    flag = standing_flag(session, org.id)
    if flag is None:
        raise NotFound(_l("Les étiquettes de %(name)s ne sont pas signalées.", name=org.name))
    flag.cleared_at, flag.cleared_by_id = utcnow(), actor.id
    session.flush()
    return flag


def flag_history(session: Session, org_id: int, limit: int = 20) -> list[ProducerLabelFlag]:
    """The producer's flags, newest first."""
    return list(session.scalars(
        select(ProducerLabelFlag).where(ProducerLabelFlag.org_id == org_id)
        .order_by(ProducerLabelFlag.flagged_at.desc(), ProducerLabelFlag.id.desc())
        .limit(limit)))
