"""No report query reads the whole event log: EXPLAIN every SQL statement they send.

Each report service is called on a small synthetic network while the SQL it sends
is recorded; each statement is then EXPLAINed with its own parameters. The same
check keeps one member's deposits and settlements off a pass over the whole
deposit ledger (`deposit_entries`).

- SQLite: `EXPLAIN QUERY PLAN` must not say `SCAN events` (or `SCAN events_1`,
  an alias as SQLAlchemy names it: a full pass over the table or over a whole
  index of it); `SEARCH events USING … INDEX` is fine.
- PostgreSQL: `EXPLAIN (FORMAT JSON)` must have no `Seq Scan` on `events`, nor
  an index scan of it without an index condition (a pass over a whole index).
  The test database is small, where a sequential scan is the planner's right
  choice; so plans are taken with `enable_seqscan = off`, which leaves a
  sequential scan only when no index can serve the query: the test checks that
  the indexes exist and match the queries. (With the 10^7 events of
  `demo --scale` the planner picks the same indexes by itself: docs/scaling.md.)

Walking a partial index reads only its few rows: that is not a full pass. The
unfiltered audit list is left out on purpose: its page count is a count of the
whole log, which is a scan whatever the indexes.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bouteilles.demo import synthetic
from bouteilles.models import Container, Crate, Organisation, Territory
from bouteilles.services.deposits import deposit_rows, network_balance, settlements
from bouteilles.services.impact.figures import monthly_impact, twelve_months
from bouteilles.services.items.lookup import can_see_history, item_history
from bouteilles.services.items.stock import stock_rows
from bouteilles.services.oversight.watch import (
    EventFilter,
    anomaly_events,
    audit_events,
    recount_events,
)
from bouteilles.services.pages.winegrower import history_query
from bouteilles.services.paging import paginate
from bouteilles.services.territories import Scope
from bouteilles.services.washing.site import recent_receipts

END = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)


@contextmanager
def recorded(engine):
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def full_scans(session: Session, statement: str, parameters, table: str = "events") -> list[str]:
    """The plan lines that read all of `table` (empty when the plan uses an index)."""
    conn = session.connection()
    raw = conn.connection.driver_connection
    cursor = raw.cursor()
    if conn.dialect.name == "postgresql":
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s "
                       "AND indexdef LIKE '%% WHERE %%'", (table,))
        partial = {row[0] for row in cursor.fetchall()}
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0]
        cursor.execute("RESET enable_seqscan")
        found: list[str] = []

        def walk(node: dict) -> None:
            # With sequential scans off, a pass over a whole index is what reads
            # the whole table instead: an index scan with no condition.
            whole_index = (node.get("Node Type") in ("Index Scan", "Index Only Scan")
                           and "Index Cond" not in node
                           and node.get("Index Name") not in partial)
            if node.get("Relation Name") == table and (
                    node.get("Node Type") == "Seq Scan" or whole_index):
                found.append(json.dumps({k: node.get(k) for k in
                                         ("Node Type", "Index Name", "Filter")}))
            for child in node.get("Plans", ()):
                walk(child)

        walk(plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"])
        return found
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                   "AND tbl_name = ? AND sql LIKE '% WHERE %'", (table,))
    partial = {row[0] for row in cursor.fetchall()}  # walking one reads only its few rows
    cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
    details = [row[3] for row in cursor.fetchall()]
    return [d for d in details if re.match(rf"SCAN {table}(_\d+)?\b", d)
            and re.sub(r".* INDEX (\w+).*", r"\1", d) not in partial]


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    """One small synthetic network for every plan (module scope: generated once)."""
    import os

    from bouteilles import create_app
    from bouteilles.db.database import upgrade_database
    from tests.conftest import DatabaseFactory, _app_config

    factory = DatabaseFactory(tmp_path_factory.mktemp("plans"))
    url = factory.new()
    app = create_app(_app_config(url))
    upgrade_database(app)
    engine = app.extensions["db_engine"]
    with app.app_context():
        synthetic.generate(engine, events=6_000, seed=3, end=END, chunk_rows=2_000)
    yield app, engine
    engine.dispose()
    if os.environ.get("TEST_DATABASE_URL"):
        factory.drop(url)
    factory.close()


def _calls(session: Session) -> dict[str, object]:
    org = session.scalar(select(Organisation).where(Organisation.kind == "restaurant")
                         .order_by(Organisation.id))
    site = session.scalar(select(Organisation).where(Organisation.kind == "washing_site")
                          .order_by(Organisation.id))
    box = session.scalar(select(Container).order_by(Container.id.desc()).limit(1))
    crate = session.scalar(select(Crate).order_by(Crate.id).limit(1))
    grower = session.scalar(select(Organisation).where(Organisation.kind == "winegrower")
                            .order_by(Organisation.id))
    territory = session.get(Territory, site.territory_id)
    scope = Scope(territory.id, territory.code, territory.name)
    return {
        "stock_rows(holder)": lambda: stock_rows(session, holder_id=org.id),
        "stock_rows(holder, state)": lambda: stock_rows(session, holder_id=site.id,
                                                        state="clean"),
        "deposit_rows(org, month)": lambda: deposit_rows(session, org_id=org.id,
                                                         month="2026-09"),
        "deposit_rows(month)": lambda: deposit_rows(session, month="2026-09"),
        "settlements(org)": lambda: settlements(session, org_id=org.id),
        "settlements(org, month)": lambda: settlements(session, org_id=org.id,
                                                       month="2026-09"),
        "settlements(month)": lambda: settlements(session, month="2026-09"),
        "network_balance": lambda: network_balance(session),
        "monthly_impact(network)": lambda: monthly_impact(session, "2026-09"),
        "monthly_impact(site)": lambda: monthly_impact(session, "2026-09", site.code),
        "monthly_impact(territory)": lambda: monthly_impact(session, "2026-09", scope=scope),
        "stock_rows(territory)": lambda: stock_rows(session, scope=scope),
        "twelve_months": lambda: twelve_months(session, "2026-10"),
        "item_history(container)": lambda: item_history(session, box),
        "item_history(crate)": lambda: item_history(session, crate),
        "can_see_history(container)": lambda: can_see_history(
            session, box, org if box.holder_id != org.id else site),
        "can_see_history(crate)": lambda: can_see_history(
            session, crate, org if crate.holder_id != org.id else site),
        "audit(code)": lambda: audit_events(session, EventFilter(code=box.code), page=1),
        "audit(org, dates)": lambda: audit_events(
            session, EventFilter(org_id=org.id, date_from=datetime(2026, 9, 1).date(),
                                 date_to=datetime(2026, 9, 30).date()), page=1),
        "audit(org)": lambda: audit_events(session, EventFilter(org_id=org.id), page=2),
        "anomalies": lambda: anomaly_events(session, EventFilter(), page=1),
        "recounts": lambda: recount_events(session, EventFilter(), page=1),
        "washing receipts": lambda: paginate(session, recent_receipts(site.id), 1),
        "winegrower history": lambda: paginate(session, history_query(grower.id), 1),
    }


def _full_scans(network, table: str, names=None) -> dict[str, tuple[list[str], str]]:
    """{call: (plan lines, SQL)} of the calls (all by default) that read all of `table`."""
    app, engine = network
    failures = {}
    with app.app_context(), Session(engine) as session:
        for name, call in _calls(session).items():
            if names is not None and name not in names:
                continue
            with recorded(engine) as statements:
                call()
            assert statements, name
            for statement, parameters in statements:
                scans = full_scans(session, statement, parameters, table)
                if scans:
                    failures[name] = (scans, statement)
        session.rollback()
    return failures


def _report(failures: dict[str, tuple[list[str], str]]) -> str:
    return "\n\n".join(f"{name}: {scans}\n{sql}" for name, (scans, sql) in failures.items())


def test_no_report_query_scans_the_event_table(network):
    failures = _full_scans(network, "events")
    assert not failures, _report(failures)


def test_one_members_deposits_do_not_read_the_whole_ledger(network):
    """A member's deposits and settlements start from its own ledger entries.

    (The network-wide totals and balance read the whole ledger, by design.)
    """
    failures = _full_scans(network, "deposit_entries", {
        "deposit_rows(org, month)", "settlements(org)", "settlements(org, month)",
        "monthly_impact(territory)"})
    assert not failures, _report(failures)


def test_the_check_notices_a_full_scan(network):
    """The detector itself: a query on an unindexed column is caught."""
    app, engine = network
    with app.app_context(), Session(engine) as session:
        # (recorded_at is in a covering index since 0018: PostgreSQL then shows an
        # index condition on a full pass of it; user_id is in no index.)
        statement = "SELECT count(*) FROM events WHERE user_id > 1"
        assert full_scans(session, statement, ())
        # Member 1's settlements as one OR across the join (aliases named the way
        # SQLAlchemy names them): a pass over the whole ledger.
        statement = ("SELECT sum(deposit_entries_1.amount_cents) "
                     "FROM deposit_entries AS deposit_entries_1 JOIN deposit_entries AS "
                     "deposit_entries_2 ON deposit_entries_2.id = deposit_entries_1.lend_entry_id "
                     "WHERE deposit_entries_1.kind = 'refunded' "
                     "AND (deposit_entries_2.org_id = 1 OR deposit_entries_1.org_id = 1)")
        assert full_scans(session, statement, (), "deposit_entries")
        session.rollback()
