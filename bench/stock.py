"""Stock of one organisation and of one territory (services.items.stock.stock_rows) vs a
hand-written SQL count.

    .venv/bin/python bench/stock.py [--events N] [--db sqlite|postgres]

Targets: one organisation under 100 ms with 1,000,000 containers in the network;
one territory (what its members hold, by holder, state and type) under 1 s at 10^7
events.
"""

from __future__ import annotations

from scalelib import app_for, arguments, prepare, report, timed
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

BASELINE = text(
    "SELECT holder_id, type_id, state, count(*) FROM containers WHERE holder_id = :h "
    "GROUP BY holder_id, type_id, state "
    "UNION ALL SELECT holder_id, type_id, state, sum(quantity) FROM crates WHERE holder_id = :h "
    "GROUP BY holder_id, type_id, state")
MEMBERS = "holder_id IN (SELECT id FROM organisations WHERE territory_id = :t)"
BASELINE_TERRITORY = text(
    f"SELECT holder_id, type_id, state, count(*) FROM containers WHERE {MEMBERS} "
    "GROUP BY holder_id, type_id, state "
    f"UNION ALL SELECT holder_id, type_id, state, sum(quantity) FROM crates WHERE {MEMBERS} "
    "GROUP BY holder_id, type_id, state")


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    from bouteilles.models import Container, Organisation, Territory
    from bouteilles.services.items.stock import stock_rows
    from bouteilles.services.territories import Scope
    url = prepare(args.db, args.events)
    app = app_for(url)
    with app.app_context(), Session(app.extensions["db_engine"]) as session:
        containers = session.scalar(select(func.count()).select_from(Container))
        # The biggest holder: the washing site with the most containers.
        holder = session.execute(select(Container.holder_id, func.count())
                                 .group_by(Container.holder_id)
                                 .order_by(func.count().desc()).limit(1)).first()[0]
        project = timed(lambda: stock_rows(session, holder_id=holder), args.repeat)
        baseline = timed(lambda: session.execute(BASELINE, {"h": holder}).all(), args.repeat)
        # The territory holding the most containers.
        territory = session.get(Territory, session.execute(
            select(Organisation.territory_id, func.count())
            .join(Container, Container.holder_id == Organisation.id)
            .where(Organisation.territory_id.is_not(None))
            .group_by(Organisation.territory_id)
            .order_by(func.count().desc()).limit(1)).first()[0])
        scope = Scope(territory.id, territory.code, territory.name)
        rows = stock_rows(session, scope=scope)
        scoped = timed(lambda: stock_rows(session, scope=scope), args.repeat)
        scoped_base = timed(lambda: session.execute(BASELINE_TERRITORY,
                                                    {"t": territory.id}).all(), args.repeat)
    print(f"  {containers:,} containers in the network; territory {territory.code}: "
          f"{sum(r['count'] for r in rows):,} held by its members, {len(rows)} rows")
    report("stock(one organisation)", args.db, args.events, project, baseline,
           target="< 100 ms")
    report("stock(one territory)", args.db, args.events, scoped, scoped_base, target="< 1 s")


if __name__ == "__main__":
    main()
