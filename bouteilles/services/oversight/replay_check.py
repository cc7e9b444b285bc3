"""Invariants of the record, checked by SQL over the whole log (`flask … check`).

Each check is one aggregate query: the database streams the event log, Python
only ever sees the rows that break a rule (at most `EXAMPLES` of them), so the
check scales with the log without loading it.

- **replay**: for every container and crate, the events in recording order
  (id order: an offline scan applies to the state it found, whatever its
  `occurred_at`) form one unbroken chain — the first is a `commission`, each
  next event starts from the state and holder the previous one left — and the
  current-state row (state, holder, cycles, crate quantity, reject reason)
  equals the end of that chain;
- **stock**: the stock service's counts equal the sum of the objects as the
  log leaves them;
- **deposits**: each box's held deposit equals its ledger lines, only boxes in
  use hold one, and the network ledger equals deposit × boxes in use lent with
  a deposit (`deposits.network_balance`);
- **batches**: an open batch's inputs equal its counted inputs plus what its
  `wash` events brought;
- **append-only**: the triggers refusing UPDATE and DELETE on the log and the
  ledger are in place. With them no row can change; the chain check above
  would also see a deleted or altered event in the middle of a history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select, text, union_all
from sqlalchemy.orm import Session, aliased

from ...models import Batch, Container, ContainerType, Crate, DepositEntry, Event, Organisation
from ..deposits import HELD_SIGN, OPENING_KINDS, network_balance
from ..items.stock import stock_rows

EXAMPLES = 10
APPEND_ONLY = {
    "sqlite": {"events_no_update", "events_no_delete", "events_only_territory",
               "deposit_entries_no_update", "deposit_entries_no_delete",
               "deposit_entries_only_territory"},
    "postgresql": {"events_append_only", "events_no_truncate", "events_only_territory",
                   "events_update_fills_territory",
                   "deposit_entries_append_only", "deposit_entries_no_truncate",
                   "deposit_entries_only_territory", "deposit_entries_update_fills_territory"},
}


@dataclass
class Problem:
    check: str
    message: str
    examples: list[str] = field(default_factory=list)


@dataclass
class IntegrityReport:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, check: str, message: str, examples: list[str] = ()) -> None:
        self.problems.append(Problem(check, message, list(examples)))


def check_integrity(session: Session) -> IntegrityReport:
    """Run every invariant check; the report lists what is wrong (empty when all hold)."""
    report = IntegrityReport()
    report.counts = {
        "events": session.scalar(select(func.count()).select_from(Event)) or 0,
        "containers": session.scalar(select(func.count()).select_from(Container)) or 0,
        "crates": session.scalar(select(func.count()).select_from(Crate)) or 0,
    }
    for model in (Container, Crate):
        _check_chains(session, model, report)
        _check_projection(session, model, report)
    _check_stock(session, report)
    _check_deposits(session, report)
    _check_batches(session, report)
    _check_triggers(session, report)
    return report


def _item_column(model):
    return Event.container_id if model is Container else Event.crate_id


def _check_chains(session: Session, model, report: IntegrityReport) -> None:
    column = _item_column(model)
    window = {"partition_by": column, "order_by": Event.id}
    ordered = (
        select(column.label("item_id"), Event.id, Event.action, Event.from_state,
               Event.from_holder_id,
               func.lag(Event.to_state).over(**window).label("prev_state"),
               func.lag(Event.holder_id).over(**window).label("prev_holder"),
               func.row_number().over(**window).label("n"))
        .where(column.is_not(None)).subquery()
    )
    c = ordered.c
    broken = or_(
        and_(c.n == 1, or_(c.action != "commission", c.from_state.is_not(None))),
        and_(c.n > 1, or_(c.from_state.is_(None), c.from_state != c.prev_state,
                          c.from_holder_id.is_(None), c.from_holder_id != c.prev_holder)),
    )
    rows = session.execute(
        select(model.code, c.id).join(model, model.id == c.item_id).where(broken)
        .order_by(c.id).limit(EXAMPLES)
    ).all()
    if rows:
        total = session.scalar(select(func.count()).select_from(ordered).where(broken))
        report.add("replay", f"{total} {model.__tablename__} events do not follow the previous "
                   "event of their item (missing or altered event)",
                   [f"{code} (event {event_id})" for code, event_id in rows])


def _last_events(model):
    """Per item: its last event id, event count and completed washing cycles."""
    column = _item_column(model)
    cycles = func.sum(case((and_(Event.action == "batch_close", Event.to_state == "clean"), 1),
                           else_=0))
    return (
        select(column.label("item_id"), func.max(Event.id).label("last_id"),
               cycles.label("cycles"))
        .where(column.is_not(None)).group_by(column).subquery()
    )


def _check_projection(session: Session, model, report: IntegrityReport) -> None:
    last = _last_events(model)
    expected_reason = case((Event.to_state == "rejected", Event.reason), else_=None)
    differs = [
        last.c.item_id.is_(None),
        model.state != Event.to_state,
        model.holder_id != Event.holder_id,
        func.coalesce(model.reject_reason, "") != func.coalesce(expected_reason, ""),
    ]
    if model is Container:
        differs.append(model.cycles != last.c.cycles)
    else:
        differs.append(model.quantity != Event.quantity)
    rows = session.execute(
        select(model.code, model.state, Event.to_state)
        .outerjoin(last, last.c.item_id == model.id)
        .outerjoin(Event, Event.id == last.c.last_id)
        .where(or_(*differs)).order_by(model.id).limit(EXAMPLES)
    ).all()
    if rows:
        report.add("replay", f"{model.__tablename__}: current state differs from the replay "
                   "of their events",
                   [f"{code}: row says {state}, events say {replayed or 'nothing'}"
                    for code, state, replayed in rows])


def _replayed_stock(session: Session) -> Counter:
    totals: Counter = Counter()
    for model in (Container, Crate):
        last = _last_events(model)
        amount = func.count() if model is Container else func.sum(Event.quantity)
        rows = session.execute(
            select(Organisation.code, ContainerType.code, Event.to_state, amount)
            .select_from(last).join(Event, Event.id == last.c.last_id)
            .join(Organisation, Organisation.id == Event.holder_id)
            .join(ContainerType, ContainerType.id == Event.type_id)
            .group_by(Organisation.code, ContainerType.code, Event.to_state)
        )
        for holder, ctype, state, count in rows:
            totals[(holder, ctype, state)] += int(count or 0)
    return totals


def _check_stock(session: Session, report: IntegrityReport) -> None:
    stock = Counter({(r["holder"], r["type"], r["state"]): r["count"]
                     for r in stock_rows(session)})
    replayed = _replayed_stock(session)
    keys = {k for k in stock.keys() | replayed.keys() if stock[k] != replayed[k]}
    if keys:
        report.add("stock", "stock counts differ from the sum of objects replayed from the log",
                   [f"{'/'.join(k)}: stock {stock[k]}, objects {replayed[k]}"
                    for k in sorted(keys)[:EXAMPLES]])
    report.counts["stock_units"] = sum(stock.values())


def _check_deposits(session: Session, report: IntegrityReport) -> None:
    signed = func.sum(case(*((DepositEntry.kind == kind, sign * DepositEntry.amount_cents)
                             for kind, sign in HELD_SIGN.items()), else_=0))
    ledger = (select(DepositEntry.container_id, signed.label("held"))
              .group_by(DepositEntry.container_id).subquery())
    held = func.coalesce(ledger.c.held, 0)
    rows = session.execute(
        select(Container.code, Container.state, Container.deposit_held_cents, held)
        .outerjoin(ledger, ledger.c.container_id == Container.id)
        .where(or_(Container.deposit_held_cents != held,
                   and_(Container.state != "in_use", Container.deposit_held_cents != 0)))
        .order_by(Container.id).limit(EXAMPLES)
    ).all()
    if rows:
        report.add("deposits", "boxes whose held deposit differs from their ledger lines",
                   [f"{code} ({state}): box {box} cents, ledger {int(led)} cents"
                    for code, state, box, led in rows])
    ledger_total, carried = network_balance(session)
    expected = session.scalar(
        select(func.coalesce(func.sum(DepositEntry.amount_cents), 0))
        .select_from(Container).join(DepositEntry, DepositEntry.id == Container.lend_entry_id)
        .where(Container.state == "in_use",
               DepositEntry.kind.in_(OPENING_KINDS))
    )
    if not ledger_total == carried == int(expected or 0):
        report.add("deposits", f"ledger holds {ledger_total} cents, boxes in use carry {carried}, "
                   f"deposit × boxes in use lent with a deposit = {int(expected or 0)}")
    report.counts["deposits_held_cents"] = ledger_total


def _check_batches(session: Session, report: IntegrityReport) -> None:
    undone = aliased(Event)
    # What each wash brought, less the washes undone (`undo` names the wash).
    brought = union_all(
        select(Event.batch_id, Event.quantity.label("n")).where(Event.action == "wash"),
        select(Event.batch_id, -undone.quantity)
        .join(undone, undone.id == Event.undoes_id)
        .where(Event.action == "undo", undone.action == "wash")).subquery()
    washed = (select(brought.c.batch_id, func.sum(brought.c.n).label("n"))
              .group_by(brought.c.batch_id).subquery())
    rows = session.execute(
        select(Batch.code, Batch.inputs, Batch.counted_inputs, func.coalesce(washed.c.n, 0))
        .outerjoin(washed, washed.c.batch_id == Batch.id)
        .where(Batch.inputs != Batch.counted_inputs + func.coalesce(washed.c.n, 0))
        .order_by(Batch.id).limit(EXAMPLES)
    ).all()
    if rows:
        report.add("batches", "batches whose inputs differ from their counted and scanned inputs",
                   [f"{code}: inputs {n}, counted {counted} + scanned {int(scanned)}"
                    for code, n, counted, scanned in rows])


def _check_triggers(session: Session, report: IntegrityReport) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        found = set(session.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
            "AND tgrelid IN ('events'::regclass, 'deposit_entries'::regclass)")))
    else:
        found = set(session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name IN ('events', 'deposit_entries')")))
    missing = APPEND_ONLY.get(dialect, set()) - found
    if missing:
        report.add("append_only", "append-only triggers missing: the log could be altered",
                   sorted(missing))


def format_report(report: IntegrityReport) -> str:
    """A short human report."""
    counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
    if report.ok:
        return f"OK: every invariant holds ({counts})."
    lines = [f"FAILED: {len(report.problems)} problem(s) ({counts})"]
    for problem in report.problems:
        lines.append(f"- [{problem.check}] {problem.message}")
        lines.extend(f"    {example}" for example in problem.examples)
    return "\n".join(lines)
