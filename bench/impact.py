"""Monthly impact (GET /api/v1/impact's service and the CSV export) vs hand-written SQL.

    .venv/bin/python bench/impact.py [--events N] [--db sqlite|postgres]

Target: under 1 s over 10^7 events, at most 2 × the hand-written SQL. The same for
one territory (`GET /api/v1/impact?territory=<code>`: the batches of its washing
sites, `Batch.territory_id`): under 1 s at 10^7 events.
"""

from __future__ import annotations

from datetime import UTC

from scalelib import app_for, arguments, prepare, report, timed
from sqlalchemy import text
from sqlalchemy.orm import Session

# The same figures, written by hand: totals, by type, by site, the batches, rejects.
WHERE = "b.status = 'closed' AND b.closed_at >= :s AND b.closed_at < :e"
WHERE_TERRITORY = WHERE + " AND b.territory_id = :t"  # ix_batches_territory_closed_at
# A territory's circulation, by hand: what its members recorded (lends, returns,
# losses of the month; commissions up to its end; not undone by then) and its
# deposits held at the month's end.
NOT_UNDONE = ("NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes_id = e.id "
              "AND u.recorded_at < :e)")
CIRCULATION = [
    "SELECT e.action, sum(e.quantity) FROM events e WHERE e.territory_id = :t "
    "AND e.action IN ('lend', 'return', 'lose') AND e.occurred_at >= :s "
    f"AND e.occurred_at < :e AND e.recorded_at < :e AND {NOT_UNDONE} GROUP BY e.action",
    "SELECT sum(e.quantity) FROM events e WHERE e.territory_id = :t "
    f"AND e.action = 'commission' AND e.occurred_at < :e AND e.recorded_at < :e AND {NOT_UNDONE}",
    "SELECT sum(CASE WHEN d.kind IN ('taken', 'reinstated', 'reclaimed') THEN d.amount_cents "
    "WHEN d.kind = 'reopened' THEN 0 ELSE -d.amount_cents END) "
    "FROM deposit_entries d WHERE d.territory_id = :t AND d.occurred_at < :e "
    "AND d.recorded_at < :e",
]
SUMS = ("count(b.id), sum(b.inputs), sum(b.clean), sum(b.rejected), sum(b.co2e_avoided_g), "
        "sum(b.co2e_process_g), sum(b.waste_avoided_g), sum(b.to_recycling_g)")
BASELINE = [
    f"SELECT {SUMS} FROM batches b WHERE {WHERE}",
    f"SELECT t.code, {SUMS} FROM batches b JOIN container_types t ON t.id = b.type_id "
    f"WHERE {WHERE} GROUP BY t.code",
    f"SELECT o.code, {SUMS} FROM batches b JOIN organisations o ON o.id = b.site_id "
    f"WHERE {WHERE} GROUP BY o.code",
    "SELECT b.id, b.code, b.closed_at, b.site_id, b.type_id, b.inputs, b.clean, b.rejected, "
    f"b.co2e_avoided_g, b.co2e_process_g, b.waste_avoided_g, b.to_recycling_g "
    f"FROM batches b WHERE {WHERE} ORDER BY b.closed_at, b.id",
    "SELECT r.reason, sum(r.count) FROM batch_rejects r JOIN batches b ON b.id = r.batch_id "
    f"WHERE {WHERE} GROUP BY r.reason",
]
# The CSV report also has twelve months of totals, the deposits and settlements.
REPORT_EXTRA = [
    f"SELECT {SUMS} FROM batches b WHERE b.status = 'closed' AND b.closed_at >= :y "
    "AND b.closed_at < :e",  # (one pass; grouped by month in Python, as cheap as SQL)
    "SELECT d.org_id, d.kind, sum(d.amount_cents) FROM deposit_entries d "
    "WHERE d.occurred_at >= :s AND d.occurred_at < :e GROUP BY d.org_id, d.kind",
    "SELECT o.org_id, r.org_id, sum(r.amount_cents) FROM deposit_entries r "
    "JOIN deposit_entries o ON o.id = r.lend_entry_id WHERE r.kind = 'refunded' "
    "AND o.org_id <> r.org_id AND r.occurred_at >= :s AND r.occurred_at < :e "
    "GROUP BY o.org_id, r.org_id",
]


def main() -> None:
    args = arguments(__doc__.splitlines()[0], extra=lambda parser: parser.add_argument(
        "--territory-only", action="store_true",
        help="only the lines of one territory (the network's take minutes at 10^7)"))
    from bouteilles.reports import build_monthly_report, render
    from bouteilles.services.deposits import month_bounds
    from bouteilles.services.impact.figures import monthly_impact
    url = prepare(args.db, args.events)
    app = app_for(url)
    with app.app_context(), Session(app.extensions["db_engine"]) as session:
        month = session.execute(text(
            "SELECT max(closed_at) FROM batches WHERE status = 'closed'")).scalar()
        month = (month.strftime("%Y-%m") if hasattr(month, "strftime") else str(month)[:7])
        year, mon = (int(p) for p in month.split("-"))
        month = f"{year - (mon == 1)}-{(mon - 2) % 12 + 1:02d}"  # the last full month
        start, end = month_bounds(month)
        params = {"s": start.astimezone(UTC).replace(tzinfo=None),
                  "e": end.astimezone(UTC).replace(tzinfo=None)}
        params["y"] = params["s"].replace(year=params["s"].year - 1)
        if args.db == "sqlite":
            params = {k: v.isoformat(" ") for k, v in params.items()}

        def baseline():
            for sql in BASELINE:
                session.execute(text(sql), params).all()

        def baseline_report():
            baseline()
            for sql in REPORT_EXTRA:
                session.execute(text(sql), params).all()

        if not args.territory_only:
            found = monthly_impact(session, month)
            api = timed(lambda: monthly_impact(session, month), args.repeat)
            csv = timed(lambda: render(build_monthly_report(session, month), "csv"),
                        args.repeat)
            base = timed(baseline, args.repeat)
            base_report = timed(baseline_report, args.repeat)
        # One territory: the one whose sites closed the most batches that month.
        scope = territory_scope(session, params)
        params_t = {**params, "t": scope.territory_id}

        def baseline_territory():
            for sql in BASELINE:
                session.execute(text(sql.replace(WHERE, WHERE_TERRITORY)), params_t).all()
            for sql in CIRCULATION:
                session.execute(text(sql), params_t).all()

        in_territory = monthly_impact(session, month, scope=scope)
        api_t = timed(lambda: monthly_impact(session, month, scope=scope), args.repeat)
        base_t = timed(baseline_territory, args.repeat)
    print(f"  month {month}: territory {scope.territory_code}: "
          f"{in_territory['batches']:,} batches, {in_territory['inputs']:,} inputs")
    if not args.territory_only:
        print(f"  the network: {found['batches']:,} batches, {found['inputs']:,} inputs")
        report("impact(month, api)", args.db, args.events, api, base,
               target="< 1 s, ratio ≤ 2")
        report("impact(month, csv export)", args.db, args.events, csv, base_report,
               target="< 1 s")
    report("impact(month, one territory)", args.db, args.events, api_t, base_t,
           target="< 1 s")


def territory_scope(session, params: dict):
    """The scope of the territory whose washing sites closed the most batches in the month."""
    from bouteilles.models import Territory
    from bouteilles.services.territories import Scope
    territory_id = session.execute(text(
        f"SELECT b.territory_id FROM batches b WHERE {WHERE} AND b.territory_id IS NOT NULL "
        "GROUP BY b.territory_id ORDER BY count(*) DESC LIMIT 1"), params).scalar()
    territory = session.get(Territory, territory_id)
    return Scope(territory.id, territory.code, territory.name)


if __name__ == "__main__":
    main()
