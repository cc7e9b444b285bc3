"""Stock of one organisation (services.items.stock.stock_rows) vs a hand-written SQL count.

    .venv/bin/python bench/stock.py [--events N] [--db sqlite|postgres]

Target: under 100 ms with 1,000,000 containers in the network.
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


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    from bouteilles.models import Container
    from bouteilles.services.items.stock import stock_rows
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
    print(f"  {containers:,} containers in the network")
    report("stock(one organisation)", args.db, args.events, project, baseline,
           target="< 100 ms")


if __name__ == "__main__":
    main()
