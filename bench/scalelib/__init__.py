"""Shared helpers of the scale benchmarks: databases of N synthetic events.

`prepare(db, events)` returns the URL of a database holding a synthetic network
of `events` events (`demo --scale`), generated once and kept for the next runs:
SQLite files under $BENCH_DIR (default /tmp/bouteilles-bench), PostgreSQL
databases `bench_<N>` on the throwaway server of scripts/pg-test-server.sh.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/bouteilles-bench"))


def arguments(description: str, events: int = 100_000,
              extra=None) -> argparse.Namespace:
    """The benchmarks' common options; `extra(parser)` adds a script's own."""
    parser = argparse.ArgumentParser(description=description)
    if extra is not None:
        extra(parser)
    parser.add_argument("--events", type=int, default=events,
                        help=f"synthetic events in the network (default {events:,})")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs (median kept)")
    return parser.parse_args()


def postgres_server_url() -> str:
    out = subprocess.run(["bash", str(ROOT / "scripts/pg-test-server.sh")], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def _app(url: str):
    from bouteilles import create_app
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOGIN_LIMITS": False,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def fresh(db: str, name: str) -> str:
    """An empty migrated database (dropped first if it exists)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bouteilles.db.database import upgrade_database
    if db == "postgres":
        server = postgres_server_url()
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    else:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    app = _app(url)
    upgrade_database(app)
    app.extensions["db_engine"].dispose()
    return url


def prepare(db: str, events: int) -> str:
    """URL of a database with a synthetic network of about `events` events (cached)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    name = f"bench_{events}"
    if db == "postgres":
        url = make_url(postgres_server_url()).set(database=name).render_as_string(
            hide_password=False)
    else:
        url = f"sqlite:///{BENCH_DIR / (name + '.sqlite3')}"
    marker = BENCH_DIR / f"{db}-{name}.done"
    if marker.exists():
        try:
            engine = create_engine(url)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1 FROM events LIMIT 1"))
            engine.dispose()
            from bouteilles.db.database import upgrade_database
            app = _app(url)
            upgrade_database(app)  # a database kept from before a new migration
            app.extensions["db_engine"].dispose()
            if _has_territories(url):
                return url
            print("the kept database has no territories: regenerating", flush=True)
        except Exception:  # noqa: BLE001 - regenerate
            pass
    from bouteilles.demo.synthetic import generate
    url = fresh(db, name)
    app = _app(url)
    print(f"generating {events:,} events on {db} (once; kept in {marker.parent})…", flush=True)
    with app.app_context():
        summary = generate(app.extensions["db_engine"], events=events)
    app.extensions["db_engine"].dispose()
    print(f"  {summary.events:,} events, {summary.containers:,} containers in "
          f"{summary.seconds:.1f} s ({summary.rows_per_second:,.0f} rows/s)", flush=True)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{summary.events} {summary.seconds:.1f}\n")
    return url


def _has_territories(url: str) -> bool:
    """Whether the synthetic network in it has its territories (the partition key filled)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM territories")).scalar())
    finally:
        engine.dispose()


def app_for(url: str):
    return _app(url)


def timed(call, repeat: int) -> float:
    """Median wall time of `call()` in seconds (one warm-up run first)."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, db: str, events: int, project: float, baseline: float, *,
           unit: str = "ms", target: str = "", higher_is_better: bool = False) -> None:
    """One line: the project's figure, the baseline's, and the ratio."""
    scale = 1000 if unit == "ms" else 1
    ratio = (baseline / project if higher_is_better else project / baseline) if baseline else 0
    print(f"RESULT {name:28} db={db:8} events={events:>11,}  project={project * scale:10.2f} {unit}"
          f"  baseline={baseline * scale:10.2f} {unit}  ratio={ratio:6.2f}"
          f"{'  target: ' + target if target else ''}", flush=True)
