"""A real server and HTTP scanners for the reliability tests (reusable by bench/).

- `GunicornServer(database_url)`: gunicorn on 127.0.0.1:<free port> serving
  `bouteilles:create_app()` on that database, started and stopped by the caller;
- `Api(url, token)`: a small JSON client on one keep-alive connection
  (http.client, no dependency), one per thread;
- `fire_at_once(n, call)`: n threads released together by a barrier;
- `Journal`: every request and answer of a load run, to check against the log.

Import it from a script with ``sys.path.insert(0, "tests/reliability")``.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

GUNICORN = Path(sys.executable).with_name("gunicorn")
IDLE_RECONNECT = 1.0  # seconds; gunicorn's keep-alive timeout is 2 s


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GunicornServer:
    """gunicorn serving the app on `database_url`, bound to 127.0.0.1 only."""

    def __init__(self, database_url: str, *, workers: int = 4, threads: int = 8,
                 timeout: int = 120, config: Path | None = None) -> None:
        """`config`: a gunicorn.conf.py whose workers and threads are used instead."""
        self.database_url = database_url
        self.workers, self.threads, self.timeout = workers, threads, timeout
        self.config = config
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.workdir = tempfile.mkdtemp(prefix="bouteilles-gunicorn-")
        self.log_path = Path(self.workdir) / "gunicorn.log"

    def start(self) -> GunicornServer:
        env = dict(os.environ, DATABASE_URL=self.database_url, SECRET_KEY="reliability-secret",
                   BASE_URL=self.url)
        self._log = self.log_path.open("ab")
        sizing = (["-c", str(self.config)] if self.config else
                  ["--workers", str(self.workers), "--threads", str(self.threads)])
        self.process = subprocess.Popen(
            [str(GUNICORN), *sizing, "--bind", f"127.0.0.1:{self.port}", "--timeout",
             str(self.timeout), "--graceful-timeout", "5", "--no-control-socket",
             "bouteilles:create_app()"],
            cwd=self.workdir, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log()}")
            probe = Api(self.url, timeout=5)
            try:
                if probe.get("/api/v1/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.05)
            finally:
                probe.close()
        raise RuntimeError(f"gunicorn did not answer: {self.log()}")

    def worker_pids(self) -> list[int]:
        """Pids of the worker processes (children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def __enter__(self) -> GunicornServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Api:
    """JSON over one keep-alive HTTP connection; reconnects when the server closed it."""

    def __init__(self, url: str, token: str | None = None, *, timeout: float = 60) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def connect(self) -> Api:
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.conn.connect()
        self.last_used = time.monotonic()
        return self

    def request(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        payload = None if body is None else json.dumps(body).encode()
        if self.conn is not None and time.monotonic() - self.last_used > IDLE_RECONNECT:
            self.close()  # gunicorn drops idle keep-alive connections: never race it
        for attempt in (1, 2):
            if self.conn is None:
                self.connect()
            try:
                self.conn.request(method, path, body=payload, headers=self.headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                # Only a keep-alive connection closed before our request was read is
                # retried; a failure on a fresh connection is the caller's to see.
                if attempt == 2 or payload is not None and method != "GET":
                    raise
        self.last_used = time.monotonic()
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return response.status, data

    def get(self, path: str) -> tuple[int, object]:
        return self.request("GET", path)

    def post(self, path: str, body: object) -> tuple[int, object]:
        return self.request("POST", path, body)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def fire_at_once(n: int, call: Callable[[int], object]) -> list[object]:
    """Run call(i) for i in range(n) in n threads released at the same instant."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except Exception as exc:  # noqa: BLE001 - reported to the test, not lost
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@dataclass
class Entry:
    kind: str  # scan | scans_batch | inputs | close | open | get
    request: object
    status: int
    body: object
    seconds: float


@dataclass
class Journal:
    """Every request sent and its answer (thread-safe append)."""

    entries: list[Entry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: Entry) -> None:
        with self.lock:
            self.entries.append(entry)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for entry in self.entries:
            counts[entry.status] = counts.get(entry.status, 0) + 1
        return dict(sorted(counts.items()))
