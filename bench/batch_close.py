"""Closing a batch of 10,000 scanned containers (`washing.batches.close_batch`) vs one
executemany.

    .venv/bin/python bench/batch_close.py [--db sqlite|postgres] [--inputs 10000]

A fresh database gets 10,000 labelled containers in `washing` in one open batch
(bulk-inserted with their commission, sort and wash events); the project's
figure is close_batch + commit; the baseline is one executemany inserting the
same 10,000 `batch_close` event rows. Target: under 1 s.
"""

from __future__ import annotations

import sys
import time

from scalelib import app_for, fresh, report
from sqlalchemy import insert, select
from sqlalchemy.orm import Session


def setup(session: Session, n: int):
    from datetime import UTC, datetime, timedelta

    from bouteilles.demo.synthetic import code_of
    from bouteilles.models import Batch, Container, ContainerType, Event, Label
    from bouteilles.services.members.accounts import create_org, create_user
    from bouteilles.services.territories import create_territory
    # Every row in the site's territory, as the writers fill it (models/territory.py).
    territory = create_territory(session, code="bench", name="Bench").id
    site = create_org(session, code="bench-site", name="Site", kind="washing_site",
                      territory_id=territory)
    user = create_user(session, email="site@bench.test", org=site, password=None)
    ctype = session.scalar(select(ContainerType).where(ContainerType.code == "bocal-500"))
    at = datetime.now(UTC) - timedelta(hours=2)
    batch = Batch(code="L-BENCH", type_id=ctype.id, site_id=site.id, opened_at=at,
                  inputs=n, opened_by_id=user.id, territory_id=territory)
    session.add(batch)
    session.flush()
    codes = [code_of(i) for i in range(1, n + 1)]
    session.execute(insert(Container), [
        {"code": c, "state": "washing", "type_id": ctype.id, "holder_id": site.id,
         "owner_id": site.id, "batch_id": batch.id, "created_at": at, "updated_at": at,
         "last_event_at": at, "territory_id": territory} for c in codes])
    ids = dict(session.execute(select(Container.code, Container.id)).all())
    session.execute(insert(Label), [{"code": c, "type_id": ctype.id, "container_id": ids[c],
                                     "attached_at": at, "territory_id": territory}
                                    for c in codes])
    rows = []
    for c in codes:
        common = {"code": c, "container_id": ids[c], "type_id": ctype.id, "org_id": site.id,
                  "user_id": user.id, "holder_id": site.id, "occurred_at": at,
                  "recorded_at": at, "territory_id": territory}
        rows.append({**common, "action": "commission", "to_state": "clean"})
        rows.append({**common, "action": "sort", "from_state": "clean", "to_state": "sorted",
                     "from_holder_id": site.id, "anomaly": "sorted_clean"})
        rows.append({**common, "action": "wash", "from_state": "sorted", "to_state": "washing",
                     "from_holder_id": site.id, "batch_id": batch.id})
    session.execute(insert(Event), rows)
    session.commit()
    return batch.id, user.id, [(c, ids[c]) for c in codes], ctype.id, site.id, territory


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--inputs", type=int, default=10_000)
    args = parser.parse_args()
    from datetime import UTC, datetime

    from bouteilles.models import Batch, Event, User
    from bouteilles.services.oversight.replay_check import check_integrity, format_report
    from bouteilles.services.washing.batches import close_batch
    url = fresh(args.db, "bench_batch_close")
    app = app_for(url)
    engine = app.extensions["db_engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        batch_id, user_id, boxes, type_id, site_id, territory = setup(session, args.inputs)
        batch, actor = session.get(Batch, batch_id), session.get(User, user_id)
        start = time.perf_counter()
        close_batch(session, batch, actor=actor, clean=args.inputs, rejected={})
        session.commit()
        project = time.perf_counter() - start
        integrity = check_integrity(session)
        session.rollback()
        now = datetime.now(UTC)
        rows = [{"action": "batch_close", "code": c, "container_id": i, "type_id": type_id,
                 "org_id": site_id, "user_id": user_id, "from_holder_id": site_id,
                 "holder_id": site_id, "from_state": "washing", "to_state": "clean",
                 "batch_id": batch_id, "territory_id": territory, "occurred_at": now,
                 "recorded_at": now}
                for c, i in boxes]
        start = time.perf_counter()
        session.execute(insert(Event), rows)  # one executemany of the same rows
        session.commit()
        baseline = time.perf_counter() - start
    if not integrity.ok:
        print(format_report(integrity), file=sys.stderr)
    report(f"batch_close({args.inputs:,} inputs)", args.db, 0, project, baseline,
           target="< 1 s")


if __name__ == "__main__":
    main()
