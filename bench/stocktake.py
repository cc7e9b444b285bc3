"""A stock count over 10,000 codes (`stocktakes.take_stock`) vs reading the site's codes.

    .venv/bin/python bench/stocktake.py [--db sqlite|postgres] [--held 10000] [--repeat 5]

A fresh database gets a site holding 10,000 clean labelled bottles and a
collector holding 50 more (bulk-inserted with their labels). The count: the
site's codes less 50 (missing) plus the collector's 50 (unexpected, each moved
to the site by a `deliver` flagged `found_in_count`). The project's figure is
take_stock + flush (median of `--repeat`, each run rolled back, so every run
counts the same stock); the baseline is the least any count does: one query
reading the site's 10,000 codes and the set difference with the counted ones.
A second line times storing 10,000 lines (as a count keeping its found codes
would) against the count itself: why found codes are kept as a number only.
"""

from __future__ import annotations

import random
import statistics
import time

from scalelib import app_for, fresh, report
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

MISSING = UNEXPECTED = 50


def setup(session: Session, n: int):
    from datetime import UTC, datetime, timedelta

    from bouteilles.demo.synthetic import code_of
    from bouteilles.models import Container, ContainerType, Label
    from bouteilles.services.members.accounts import create_org, create_user
    from bouteilles.services.territories import create_territory
    territory = create_territory(session, code="bench", name="Bench").id
    site = create_org(session, code="bench-site", name="Site", kind="washing_site",
                      territory_id=territory)
    van = create_org(session, code="bench-van", name="Van", kind="collector",
                     territory_id=territory)
    user = create_user(session, email="site@bench.test", org=site, password=None)
    ctype = session.scalar(select(ContainerType).where(ContainerType.code == "bouteille-75"))
    at = datetime.now(UTC) - timedelta(hours=2)
    codes = [code_of(i) for i in range(1, n + UNEXPECTED + 1)]
    session.execute(insert(Container), [
        {"code": c, "state": "clean", "type_id": ctype.id,
         "holder_id": site.id if i < n else van.id, "owner_id": site.id, "created_at": at,
         "updated_at": at, "last_event_at": at, "territory_id": territory}
        for i, c in enumerate(codes)])
    ids = dict(session.execute(select(Container.code, Container.id)).all())
    session.execute(insert(Label), [{"code": c, "type_id": ctype.id, "container_id": ids[c],
                                     "attached_at": at, "territory_id": territory}
                                    for c in codes])
    session.commit()
    held, elsewhere = codes[:n], codes[n:]
    counted = held[MISSING:] + elsewhere
    random.Random(1).shuffle(counted)
    return user.id, site.id, ctype.id, counted


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--held", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from bouteilles.models import Container, StocktakeLine, User
    from bouteilles.services.stocktakes import SHELF_STATES, take_stock
    url = fresh(args.db, "bench_stocktake")
    app = app_for(url)
    engine = app.extensions["db_engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        user_id, site_id, type_id, counted = setup(session, args.held)
        actor = session.get(User, user_id)

        def count():
            stocktake = take_stock(session, actor=actor, site="bench-site",
                                   type_code="bouteille-75", codes=counted)
            session.flush()
            assert (stocktake.missing, stocktake.unexpected) == (MISSING, UNEXPECTED)
            return stocktake.id

        def baseline():
            held = set(session.scalars(select(Container.code).where(
                Container.holder_id == site_id, Container.type_id == type_id,
                Container.state.in_(SHELF_STATES))))
            return held - set(counted), set(counted) - held

        def store_lines():
            stocktake_id = count()
            session.execute(insert(StocktakeLine), [
                {"stocktake_id": stocktake_id, "code": f"F{i:08d}", "outcome": "missing"}
                for i in range(args.held)])
            session.flush()

        project, base, stored = [], [], []
        for _ in range(args.repeat):
            for call, times in ((count, project), (baseline, base), (store_lines, stored)):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
                session.rollback()
    project_s, base_s = statistics.median(project), statistics.median(base)
    report(f"stocktake({len(counted):,} codes)", args.db, 0, project_s, base_s,
           target="< 2 s")
    report("stocktake + 10,000 stored lines", args.db, 0, statistics.median(stored), project_s)


if __name__ == "__main__":
    main()
