"""gunicorn settings of Bouteilles: `make run`, production and the scan benchmark.

    gunicorn -c gunicorn.conf.py wsgi:app

Threaded workers (`gthread`): a scan is a few milliseconds of Python and a few
database statements, and phones keep their connection alive. Sizes come from
the environment (WEB_CONCURRENCY is gunicorn's own name for the worker count);
the defaults were chosen with `bench/scans.py` on a 2-core machine
(docs/scaling.md).

The address comes from GUNICORN_BIND (here or in .env; a --bind on the command
line wins). Once bound, the real address is printed and handed to the workers
as GUNICORN_BIND: an unset BASE_URL follows it (bouteilles/config.py), so QR
codes point where the server answers.
"""

import gc
import os
import sys
from pathlib import Path

from dotenv import load_dotenv

load_dotenv(Path.cwd() / ".env")  # as the app does: one .env for both

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")  # = bouteilles.config.DEFAULT_BIND
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = 5
timeout = 60


def when_ready(server):
    # Before the workers are forked: they inherit the address really bound
    # (port 0 becomes the port the system chose).
    listener = str(server.LISTENERS[0])  # http://127.0.0.1:5000, http://[::1]:8000, unix:…
    os.environ["GUNICORN_BIND"] = listener.split("://", 1)[-1]
    print(f"Bouteilles: {listener}  (Ctrl-C to stop)", flush=True)
    if os.environ.get("BASE_URL"):
        print(f"QR codes and links: {os.environ['BASE_URL']} (BASE_URL)", flush=True)


def post_fork(server, worker):
    # Hand the GIL over every 1 ms rather than 5 ms: a thread that holds the
    # database's write lock gets the interpreter back sooner after each
    # statement, so the other writers wait less (scan p99).
    sys.setswitchinterval(0.001)


def post_worker_init(worker):
    # The app is loaded: move its ~140,000 long-lived objects (modules, models,
    # compiled SQL) out of the collector's reach. A full collection walked them
    # all and stalled every thread of the worker for up to ~70 ms (scan p99).
    gc.collect()
    gc.freeze()
