"""POST /api/v1/scans under gunicorn, 32 concurrent clients, vs a bare Flask insert.

    .venv/bin/python bench/scans.py [--events N] [--db sqlite|postgres] [--seconds 10]

Each client lends then returns its own boxes (distinct boxes, distinct
idempotency keys) on one keep-alive connection (threads + http.client: no
dependency). Both servers run with the same gunicorn settings on 127.0.0.1 on a
free port against the same database. Prints requests/s, p50, p99, the ratio of
throughputs (target ≥ 0.6, p99 < 100 ms) and the resident size of one worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from scalelib import ROOT, app_for, arguments, prepare
from sqlalchemy import select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(ROOT / "tests" / "reliability"))
from loadgen import GUNICORN, Api, GunicornServer, free_port  # noqa: E402

CLIENTS = 32
BOXES_PER_CLIENT = 600  # each box is lent once and returned once (a box comes back dirty)
WORKERS, THREADS = 4, 8


def setup(url: str):
    from bouteilles.models import Organisation, User
    from bouteilles.services.accounts import issue_token
    from bouteilles.services.containers import commission_containers
    app = app_for(url)
    engine = app.extensions["db_engine"]
    with app.app_context(), Session(engine) as session:
        resto = session.scalar(select(Organisation).where(Organisation.kind == "restaurant")
                               .order_by(Organisation.id))
        site_user = session.scalar(select(User).join(Organisation).where(
            Organisation.kind == "washing_site").order_by(User.id))
        user = session.scalar(select(User).where(User.org_id == resto.id))
        codes = []
        for _ in range(CLIENTS * BOXES_PER_CLIENT // 400):  # 400 per call
            codes += [b.code for b in commission_containers(
                session, actor=site_user, type_code="bocal-500", count=400,
                holder_code=resto.code)]
        _t, token = issue_token(session, user, "bench")
        session.execute(text("CREATE TABLE IF NOT EXISTS bench_baseline (id INTEGER PRIMARY KEY"
                             + (" GENERATED ALWAYS AS IDENTITY" if engine.dialect.name ==
                                "postgresql" else "")
                             + ", code VARCHAR(32), action VARCHAR(16), k VARCHAR(100))"))
        session.commit()
    engine.dispose()
    return token, codes


def load(url_base: str, token: str, codes: list[str], seconds: float) -> tuple[int, list, int]:
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors = [0] * CLIENTS
    first_error: list = []
    stop = time.perf_counter() + seconds

    def client(i: int) -> None:
        api = Api(url_base, token).connect()
        mine = codes[i * BOXES_PER_CLIENT:(i + 1) * BOXES_PER_CLIENT]
        for code in mine:  # lend a box, return it; then the next box
            for action in ("lend", "return"):
                if time.perf_counter() >= stop:
                    break
                start = time.perf_counter()
                status, _ = api.post("/api/v1/scans", {
                    "code": code, "action": action, "idempotency_key": uuid.uuid4().hex})
                latencies[i].append(time.perf_counter() - start)
                if status not in (200, 201):
                    errors[i] += 1
                    if not first_error:
                        first_error.append((status, _))
            if time.perf_counter() >= stop:
                break
        else:
            print(f"  client {i} ran out of boxes", file=sys.stderr)
        api.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = sorted(x for per in latencies for x in per)
    if first_error:
        print(f"  first error: {str(first_error[0])[:300]}", file=sys.stderr)
    return len(flat), flat, sum(errors)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def figures(n: int, flat: list, seconds: float) -> tuple[float, float, float]:
    return n / seconds, flat[len(flat) // 2] * 1000, flat[int(len(flat) * 0.99)] * 1000


def main() -> None:
    import argparse  # noqa: F401
    args = arguments(__doc__.splitlines()[0])
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    url = prepare(args.db, args.events)
    token, codes = setup(url)
    with GunicornServer(url, workers=WORKERS, threads=THREADS) as server:
        n, flat, errors = load(server.url, token, codes, seconds)
        rss = max(rss_kb(pid) for pid in server.worker_pids())
    p_rps, p50, p99 = figures(n, flat, seconds)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=f"{ROOT}:{ROOT / 'bench'}")
    base = subprocess.Popen(
        [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--threads",
         str(THREADS), "--no-control-socket", "scalelib.baseline_app:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                Api(f"http://127.0.0.1:{port}").connect().close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        bn, bflat, berrors = load(f"http://127.0.0.1:{port}", token, codes, seconds)
    finally:
        base.terminate()
        base.wait(timeout=15)
    b_rps, b50, b99 = figures(bn, bflat, seconds)
    print(f"RESULT scans(32 clients)             db={args.db:8} events={args.events:>11,}  "
          f"project={p_rps:8.0f} req/s p50={p50:6.1f} ms p99={p99:6.1f} ms errors={errors}  "
          f"baseline={b_rps:8.0f} req/s p50={b50:6.1f} ms p99={b99:6.1f} ms errors={berrors}  "
          f"ratio={p_rps / b_rps:5.2f}  target: ≥ 0.6, p99 < 100 ms", flush=True)
    print(f"RESULT worker RSS after the scan run  db={args.db:8} events={args.events:>11,}  "
          f"{rss / 1024:.0f} MiB (largest of {WORKERS} workers)", flush=True)


if __name__ == "__main__":
    main()
