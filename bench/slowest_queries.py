"""Every read service a page, the API or an export triggers, timed SQL statement by statement.

    .venv/bin/python bench/slowest_queries.py --events N --db sqlite|postgres [--top 5] [--runs 2]

Opens the synthetic network of N events (scalelib.prepare), calls each read service for
the busiest member of each kind (most events) and the last full month, and records every
SQL statement sent (time = execute + the fetches of its cursor). Each call runs --runs
times in a row, the last run is kept. Prints per call its time and statement count, the
--top statements by time with the call that sent them, and the plan of the slowest one
(PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) with its parameters; SQLite: EXPLAIN QUERY PLAN).
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import time
from datetime import timedelta

from scalelib import app_for, prepare
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

RECORDS: list[list] = []  # [call, statement, parameters, seconds]
CURRENT: list[str | None] = [None]


def timed_cursor(base: type) -> type:
    """`base` whose fetches add their time to the statement that opened the cursor."""
    def timed(name):
        def fetch(self, *args, **kw):
            start = time.perf_counter()
            try:
                return getattr(base, name)(self, *args, **kw)
            finally:
                if self.record is not None:
                    self.record[3] += time.perf_counter() - start
        return fetch
    return type("Timed" + base.__name__, (base,), {
        "record": None, **{n: timed(n) for n in ("fetchone", "fetchmany", "fetchall")}})


def instrument(engine) -> None:
    if engine.dialect.name == "sqlite":  # sqlite3 steps lazily: most work is in the fetches
        cursor_class = timed_cursor(sqlite3.Cursor)

        @event.listens_for(engine, "do_connect")
        def _factory(_dialect, _record, _args, params):
            base = params.get("factory", sqlite3.Connection)
            params["factory"] = type("Timed", (base,), {
                "cursor": lambda self, factory=cursor_class: base.cursor(self, factory)})
    else:
        import psycopg
        client, server = timed_cursor(psycopg.Cursor), timed_cursor(psycopg.ServerCursor)

        @event.listens_for(engine, "connect")
        def _factories(dbapi_connection, _record):
            dbapi_connection.cursor_factory = client
            dbapi_connection.server_cursor_factory = server  # yield_per streams

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, many):
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, many):
        if CURRENT[0] is not None:
            record = [CURRENT[0], statement, parameters, time.perf_counter() - conn.info["t0"]]
            RECORDS.append(record)
            if hasattr(cursor, "record"):
                cursor.record = record
    engine.dispose()  # pooled connections get the timed cursors


def setup(session: Session) -> dict:
    """The last full month, the busiest member of each kind, a box, a crate, a batch, a user."""
    from bouteilles.models import Batch, Container, Crate, Event, Organisation, User
    last = session.scalar(select(func.max(Batch.closed_at)).where(Batch.status == "closed"))
    counts = dict(session.execute(select(Event.org_id, func.count()).group_by(Event.org_id)).all())
    org: dict[str, tuple[int, str]] = {}
    for o in session.scalars(select(Organisation)):
        if o.kind not in org or counts.get(o.id, 0) > counts.get(org[o.kind][0], 0):
            org[o.kind] = (o.id, o.code)
    return {  # the last full month as bench/impact.py finds it
        "month": f"{last.year - (last.month == 1)}-{(last.month - 2) % 12 + 1:02d}",
        "org": org, "counts": counts, "now": session.scalar(select(func.max(Event.occurred_at))),
        "box": session.scalar(select(Container.code).where(  # its most reused box
            Container.holder_id == org["restaurant"][0])
            .order_by(Container.cycles.desc()).limit(1)),
        "crate": session.scalar(select(Crate.code).order_by(Crate.id).limit(1)),
        "batch": session.scalar(select(Batch.id).where(
            Batch.site_id == org["washing_site"][0], Batch.status == "closed")
            .order_by(Batch.closed_at.desc()).limit(1)),
        "user": session.scalar(select(User.id).where(
            User.org_id == org["event_organiser"][0]).limit(1)),
    }


def calls(c: dict) -> dict:
    from bouteilles.models import User
    from bouteilles.reports import build_monthly_report, render
    from bouteilles.services import deposits as dep
    from bouteilles.services.exports.epcis_month import export_epcis_month
    from bouteilles.services.impact.figures import monthly_impact, twelve_months
    from bouteilles.services.items import lookup as it
    from bouteilles.services.items.public_page import (
        minted_not_in_service,
        public_item,
        return_places,
    )
    from bouteilles.services.items.stock import stock_rows
    from bouteilles.services.loans import list_loans
    from bouteilles.services.oversight import watch as oversight
    from bouteilles.services.pages import collector, restaurant, winegrower
    from bouteilles.services.paging import paginate
    from bouteilles.services.washing import site as washing
    from bouteilles.services.washing.batches import get_batch
    m, now, days, ov = c["month"], c["now"], 14, oversight
    rest, site, coll, wine = (c["org"][k] for k in (
        "restaurant", "washing_site", "collector", "winegrower"))
    start, end = dep.month_bounds(m)
    dates = {"date_from": start.date(), "date_to": (end - timedelta(days=1)).date()}
    ledger = {"all time": {}, "org": {"org_id": rest[0]}, "month": {"month": m},
              "org, month": {"org_id": rest[0], "month": m}}
    lists = {"": {}, "org": {"org_id": rest[0]}, "dates": dates,
             "org, dates": {"org_id": rest[0], **dates}}
    scopes = {"network": None, "site": site[1], "restaurant": rest[1]}

    def events(fn, **filters):  # an anomaly / recount / audit list, page 1
        return lambda s: fn(s, ov.EventFilter(**filters), page=1)

    def epcis(s, org):
        with open(os.devnull, "w") as out:
            for chunk in export_epcis_month(s, m, base_url="https://bench.invalid", org_code=org):
                out.write(chunk)

    def item(s, code):  # the API's item with its history
        found = it.get_item(s, code)
        return it.describe_item(s, found), [it.describe_event(e) for e in it.item_history(s, found)]

    def batch_page(s):
        batch = get_batch(s, c["batch"])
        return washing.batch_outputs(s, batch), paginate(s, washing.batch_events(batch), 1)

    return {
        **{f"stock_rows({k})": (lambda s, h=h: stock_rows(s, holder_id=h)) for k, h in (
            ("network", None), ("site", site[0]), ("restaurant", rest[0]))},
        **{f"{fn.__name__}({k})": (lambda s, fn=fn, kw=kw: fn(s, **kw))
           for fn in (dep.deposit_rows, dep.settlements) for k, kw in ledger.items()},
        "network_balance": lambda s: dep.network_balance(s),
        **{f"{fn.__name__}({k})": (lambda s, fn=fn, org=org: fn(s, m, org))
           for fn in (monthly_impact, twelve_months) for k, org in scopes.items()},
        **{f"report csv({k})": (lambda s, org=org: render(build_monthly_report(s, m, org), "csv"))
           for k, org in scopes.items()},
        **{f"epcis month({k})": (lambda s, org=org: epcis(s, org)) for k, org in scopes.items()},
        "restaurant overview": lambda s: (
            restaurant.box_counts(s, rest[0], overdue_days=days, now=now),
            restaurant.day_cash(s, rest[0], now.astimezone(dep.PARIS).date())),
        **{f"restaurant boxes({state})": (lambda s, state=state: restaurant.list_boxes(
            s, rest[0], state, overdue_days=days, only_overdue=state == "in_use", now=now))
           for state in restaurant.BOX_STATES},
        "restaurant settlements": lambda s: restaurant.month_settlements(s, rest[0], m),
        "washing index": lambda s: (
            paginate(s, washing.batches_query(site_id=site[0], status="open"), 1, 10),
            paginate(s, winegrower.requests_query(site_id=site[0], status="open"), 1, 5),
            stock_rows(s, holder_id=site[0])),
        "washing receipts": lambda s: paginate(s, washing.recent_receipts(site[0]), 1),
        "washing batches": lambda s: paginate(s, washing.batches_query(site_id=site[0]), 1),
        "washing batch page": batch_page,
        "winegrower stock": lambda s: (winegrower.held_by(s, wine[0]),
                                       winegrower.availability(s, org_id=wine[0])),
        "winegrower history": lambda s: paginate(s, winegrower.history_query(wine[0]), 1),
        "winegrower requests": lambda s: paginate(s, winegrower.requests_query(org_id=wine[0]), 1),
        "collector run": lambda s: (collector.waiting_places(s), collector.held(s, coll[0]),
                                    collector.held_counts(s, coll[0])),
        "loans(organiser)": lambda s: list_loans(s, actor=s.get(User, c["user"])),
        "anomaly_counts": lambda s: ov.anomaly_counts(s, overdue_days=days),
        **{f"{fn.__name__}({k})": events(fn, **kw) for fn in (
            ov.anomaly_events, ov.recount_events, ov.audit_events) for k, kw in lists.items()},
        "anomaly_events(kind, dates)": events(ov.anomaly_events, anomaly="skipped_return", **dates),
        "audit_events(code)": events(ov.audit_events, code=c["box"]),
        "audit_events(action, dates)": events(ov.audit_events, action="return", **dates),
        **{f"overdue_boxes({k})": (lambda s, h=h: ov.overdue_boxes(
            s, overdue_days=days, page=1, holder_id=h, now=now)) for k, h in (
            ("", None), ("org", rest[0]))},
        **{f"undelivered({k})": (lambda s, h=h: ov.undelivered(s, page=1, holder_id=h, now=now))
           for k, h in (("", None), ("collector", coll[0]))},
        "item(container)": lambda s: item(s, c["box"]),
        "item(crate)": lambda s: item(s, c["crate"]),
        "public page": lambda s: (public_item(s, c["box"]), return_places(s, "box"),
                                  minted_not_in_service(s, c["box"])),
    }


def one_line(sql: str, width: int = 240) -> str:
    sql = re.sub(r"\s+", " ", sql).strip()
    return sql if len(sql) <= width else sql[:width] + " …"


def plan(engine, statement: str, parameters) -> list[str]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        depth, lines = {0: -1}, []
        for node, parent, _unused, detail in cursor.fetchall():
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return lines
    finally:
        raw.rollback()
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--runs", type=int, default=2, help="runs of each call (last kept)")
    args = parser.parse_args()
    app = app_for(prepare(args.db, args.events))
    engine = app.extensions["db_engine"]
    instrument(engine)
    with app.app_context():
        started = time.perf_counter()
        with Session(engine) as session:
            c = setup(session)
        print(f"{args.db}, {args.events:,} events: month {c['month']}, busiest "
              + ", ".join(f"{k} {code} ({c['counts'].get(i, 0):,} events)"
                          for k, (i, code) in sorted(c["org"].items()))
              + f" [setup {time.perf_counter() - started:.1f} s]")
        print(f"\n{'call':32} {'total ms':>10} {'stmts':>6} {'SQL ms':>10}")
        for name, call in calls(c).items():
            for _run in range(args.runs):  # the last run is kept
                mark, error, CURRENT[0] = len(RECORDS), "", name
                start = time.perf_counter()
                with Session(engine) as session:
                    try:
                        call(session)
                    except Exception as exc:  # noqa: BLE001 - report and go on
                        error = f"  ERROR {type(exc).__name__}: {one_line(str(exc), 160)}"
                    elapsed, CURRENT[0] = time.perf_counter() - start, None
                    session.rollback()
                mine, RECORDS[:] = RECORDS[mark:], RECORDS[:mark]
            RECORDS.extend(mine)
            print(f"{name:32} {elapsed * 1000:10.1f} {len(mine):6} "
                  f"{sum(r[3] for r in mine) * 1000:10.1f}{'  > 1 s' * (elapsed > 1)}{error}",
                  flush=True)
    ranked = sorted(RECORDS, key=lambda r: r[3], reverse=True)[:args.top]
    print(f"\nTop {len(ranked)} statements by time (execute + fetch):")
    for call, statement, parameters, seconds in ranked:
        same = [r[3] for r in RECORDS if r[0] == call and r[1] == statement]
        repeat = f" (×{len(same)} in the call, Σ {sum(same) * 1000:.1f} ms)" * (len(same) > 1)
        print(f"{seconds * 1000:10.1f} ms  {call}{repeat}\n      {one_line(statement)}"
              f"\n      params: {one_line(repr(parameters), 160)}")
    if ranked:
        call, statement, parameters, seconds = ranked[0]
        print(f"\nPlan of the slowest ({call}, {seconds * 1000:.1f} ms):\n{statement}\n"
              f"params: {parameters!r}")
        print("\n".join(plan(engine, statement, parameters)))


if __name__ == "__main__":
    main()
