"""POST /api/v1/scans under gunicorn, 32 concurrent clients (wrk), vs a bare Flask insert.

    .venv/bin/python bench/scans.py [--events N] [--db sqlite|postgres]

The load generator is Debian's `wrk` (C, event loop: it leaves the CPU to the
servers and measures latency without a client-side GIL), driven by
`bench/wrk/scans.lua`: lends and returns of distinct boxes, each request with
its own idempotency key. The baseline is `scalelib/baseline_app.py`, a bare
Flask endpoint that checks the bearer token and inserts one row in the same
database. Both run under gunicorn with the project's settings
(`gunicorn.conf.py`) on 127.0.0.1 at the same time; rounds alternate (baseline,
project, baseline, …: BENCH_ROUNDS rounds of BENCH_SECONDS, default 3 × 5 s) so
that whatever else loads the machine weighs on both. Prints the median round's
requests/s, p50 and p99 of each, the throughput ratio (target ≥ 0.6, p99 <
100 ms) and the resident size of the largest project worker afterwards. The
run's boxes and all it wrote are deleted at the end (`forget_run`): the
database is the same size at every run.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from scalelib import ROOT, app_for, arguments, prepare
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(ROOT / "tests" / "reliability"))
from loadgen import GUNICORN, Api, GunicornServer, free_port  # noqa: E402

CLIENTS, WRK_THREADS = 32, 2
BOXES_PER_ROUND = 16_000  # ~ 2 × 5 s × the fastest rate seen, plus the lua GAP
LUA = ROOT / "bench" / "wrk" / "scans.lua"


def next_box_id(url: str) -> int:
    """The id the next commissioned box will get (see `forget_run`)."""
    from bouteilles.db.database import make_engine
    from bouteilles.models import Container
    engine = make_engine(url)
    with engine.connect() as conn:
        last = conn.scalar(select(func.max(Container.id)))
    engine.dispose()
    return (last or 0) + 1


def setup(url: str, rounds: int) -> tuple[str, list[list[str]]]:
    """A restaurant's token and, per round, fresh clean boxes at that restaurant."""
    from bouteilles.models import Organisation, User
    from bouteilles.services.members.accounts import issue_token
    from bouteilles.services.movements import commission_containers
    app = app_for(url)
    engine = app.extensions["db_engine"]
    with app.app_context(), Session(engine) as session:
        resto = session.scalar(select(Organisation).where(Organisation.kind == "restaurant")
                               .order_by(Organisation.id))
        site_user = session.scalar(select(User).join(Organisation).where(
            Organisation.kind == "washing_site").order_by(User.id))
        user = session.scalar(select(User).where(User.org_id == resto.id))
        per_round = []
        for _ in range(rounds):
            codes: list[str] = []
            while len(codes) < BOXES_PER_ROUND:
                codes += [b.code for b in commission_containers(
                    session, actor=site_user, type_code="bocal-500", count=2_000,
                    holder_code=resto.code)]
            per_round.append(codes)
        _t, token = issue_token(session, user, "bench")
        session.execute(text("CREATE TABLE IF NOT EXISTS bench_baseline (id INTEGER PRIMARY KEY"
                             + (" GENERATED ALWAYS AS IDENTITY" if engine.dialect.name ==
                                "postgresql" else "")
                             + ", code VARCHAR(32), action VARCHAR(16), k VARCHAR(100))"))
        session.commit()
    _maintain(engine, "ANALYZE")  # what autovacuum would do after the commissioning
    engine.dispose()
    return token, per_round


# What a run adds, child tables first; each row tied to a box of the run.
_RUN_ROWS = (
    "DELETE FROM deposit_entries WHERE container_id >= :first",
    "DELETE FROM events WHERE container_id >= :first",
    "DELETE FROM labels WHERE container_id >= :first",
    "DELETE FROM idempotent_responses WHERE created_at >= :started",
    "DELETE FROM api_tokens WHERE created_at >= :started",
    "DELETE FROM containers WHERE id >= :first",
    "DROP TABLE IF EXISTS bench_baseline",
)
_APPEND_ONLY = ("events", "deposit_entries")
# Deleting a row makes the database look for rows that still refer to it; these
# references have no index of their own (none is needed but here), and at 10^7
# events each deleted row would read a whole table.
_LOOKUPS = ("CREATE INDEX bench_entries_event ON deposit_entries (event_id)",
            "CREATE INDEX bench_events_container ON events (container_id)")
_TOUCHED = "containers, labels, events, deposit_entries, idempotent_responses"


def forget_run(url: str, first_box: int, started: datetime) -> None:
    """Delete what the run added (its boxes and all that points to them, the stored
    answers, its API token, the baseline's rows), so that the database keeps its size from run
    to run: the figures at 10^5 events stay figures at 10^5 events. The event log
    and the ledger are append-only (triggers): their guards are lifted for this
    transaction only, and put back before it commits."""
    from bouteilles.db.database import make_engine
    from bouteilles.models.base import UTCDateTime
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            guards = [f"ALTER TABLE {table} {{}} TRIGGER USER" for table in _APPEND_ONLY]
            restore = [guard.format("ENABLE") for guard in guards]
            for guard in guards:
                conn.exec_driver_sql(guard.format("DISABLE"))
        else:
            found = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                "('events', 'deposit_entries')")).all()
            restore = [sql for _name, sql in found]
            for name, _sql in found:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for statement in _LOOKUPS:
            conn.exec_driver_sql(statement)
        for statement in _RUN_ROWS:
            sql = text(statement)
            if ":started" in statement:
                sql = sql.bindparams(bindparam("started", type_=UTCDateTime()))
            conn.execute(sql, {"first": first_box, "started": started})
        for statement in restore:
            conn.exec_driver_sql(statement)
        for statement in _LOOKUPS:
            conn.exec_driver_sql("DROP INDEX " + statement.split()[2])
    _maintain(engine, "VACUUM ANALYZE")
    engine.dispose()


def analyze_after_warm_up(url: str) -> None:
    """ANALYZE once the warm-up has stored its answers, as autovacuum would (its
    threshold is 50 rows and 10 %; the bench server runs none).

    The generated networks hold no stored API answers, and each run deletes its
    own: without this, PostgreSQL plans the scan's read of `idempotent_responses`
    for an empty table (a sequential scan), keeps that plan while the run adds
    thousands of keys, and every scan reads the whole table (seventh session:
    the read took 142 µs serially with 271 pages per call, and grew with the
    run). A server in service has its stored answers analysed. (SQLite: its WAL
    folded back, as `_maintain` does there; its planner needs no statistics to
    use a unique index.)
    """
    engine = app_for(url).extensions["db_engine"]
    _maintain(engine, "ANALYZE")
    engine.dispose()


def _maintain(engine, command: str) -> None:
    """PostgreSQL: `command` on the tables a run writes (the bench server runs no
    autovacuum). SQLite: the WAL folded back into the database and truncated."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"{command} {_TOUCHED}")
    else:
        with closing(sqlite3.connect(engine.url.database)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def wrk(url: str, token: str, codes: list[str], seconds: float, tag: str) -> dict:
    """One wrk run; its figures (requests/s, p50/p99 in ms, failures)."""
    with tempfile.NamedTemporaryFile("w", suffix=".codes", delete=False) as listing:
        listing.write("\n".join(codes) + "\n")
    try:
        out = subprocess.run(
            ["wrk", "-t", str(WRK_THREADS), "-c", str(CLIENTS), "-d", f"{seconds:g}s",
             "--timeout", "10s", "-s", str(LUA), url,
             "--", listing.name, token, tag, str(WRK_THREADS)],
            capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"wrk failed: {out.stdout[-2000:]}{out.stderr[-2000:]}")
        out = out.stdout
    finally:
        os.unlink(listing.name)
    found = re.search(r"WRK requests=(\d+) seconds=([\d.]+) not201=(\d+) errors=(\d+) "
                      r"p50_us=(\d+) p99_us=(\d+)", out)
    if found is None:
        raise RuntimeError(f"wrk said:\n{out}")
    n, secs, not201, errors, p50, p99 = found.groups()
    if int(not201) or int(errors):  # say what they were
        for line in out.splitlines():
            if line.startswith(("NOT201 ", "WRK errors")):
                print(f"  {tag}: {line}", file=sys.stderr)
    return {"rps": int(n) / float(secs), "p50": int(p50) / 1000, "p99": int(p99) / 1000,
            "failed": int(not201) + int(errors)}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def median_round(rounds: list[dict]) -> dict:
    """The round of median throughput (its latencies come with it)."""
    middle = statistics.median_low(r["rps"] for r in rounds)
    found = next(r for r in rounds if r["rps"] == middle)
    return dict(found, failed=sum(r["failed"] for r in rounds))


class BaselineServer:
    """gunicorn serving scalelib.baseline_app with the project's gunicorn settings."""

    def __init__(self, url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=f"{ROOT}:{ROOT / 'bench'}")
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "--bind",
             f"127.0.0.1:{self.port}", "--no-control-socket", "scalelib.baseline_app:app"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                Api(self.url).connect().close()
                return
            except OSError:
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    if shutil.which("wrk") is None:
        sys.exit("bench/scans.py needs Debian's wrk: apt-get install wrk "
                 "(scripts/ensure-system-packages.sh --bench does it)")
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    url = prepare(args.db, args.events)
    started, first_box = datetime.now(UTC), next_box_id(url)
    # Idempotency keys unique to this run: the database is kept between runs, and
    # a key seen before would be answered as a replay, not recorded.
    run = secrets.token_hex(4)
    project, baseline = [], []
    base = None
    try:
        token, boxes = setup(url, rounds + 1)  # the last set warms up
        base = BaselineServer(url)
        with GunicornServer(url, config=ROOT / "gunicorn.conf.py") as server:
            wrk(server.url, token, boxes[rounds], 2, f"{run}-warm")  # connections, caches
            wrk(base.url, token, boxes[rounds], 2, f"{run}-warm")
            analyze_after_warm_up(url)
            for i in range(rounds):
                baseline.append(wrk(base.url, token, boxes[i], seconds, f"{run}-b{i}"))
                project.append(wrk(server.url, token, boxes[i], seconds, f"{run}-p{i}"))
            rss = max(rss_kb(pid) for pid in server.worker_pids())
            workers = len(server.worker_pids())
        p, b = median_round(project), median_round(baseline)
        print(f"RESULT scans(32 clients)             db={args.db:8} events={args.events:>11,}  "
              f"project={p['rps']:8.0f} req/s p50={p['p50']:6.1f} ms p99={p['p99']:6.1f} ms "
              f"failed={p['failed']}  baseline={b['rps']:8.0f} req/s p50={b['p50']:6.1f} ms "
              f"p99={b['p99']:6.1f} ms failed={b['failed']}  ratio={p['rps'] / b['rps']:5.2f}  "
              f"target: ≥ 0.6, p99 < 100 ms  (median of {rounds} alternating rounds of "
              f"{seconds:g} s)", flush=True)
        print(f"RESULT worker RSS after the scan run  db={args.db:8} events={args.events:>11,}  "
              f"{rss / 1024:.0f} MiB (largest of {workers} workers)", flush=True)
    finally:
        if base is not None:
            base.stop()
        forget_run(url, first_box, started)


if __name__ == "__main__":
    main()
