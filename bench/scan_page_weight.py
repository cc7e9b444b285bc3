"""Weight of the scan page on a phone: bytes transferred, cold and warm, camera or not.

    .venv/bin/python bench/scan_page_weight.py [--before DIR] [--show-requests]

Serves a source tree the way `make run` does (gunicorn with gunicorn.conf.py,
one worker, a temporary SQLite database with one restaurant and its user) and
opens /scan in Debian's headless Chromium at phone size (390 x 844, touch,
service workers on, a fake camera). Between the browser and gunicorn a small
TCP relay counts every byte on the wire (headers and bodies, both ways),
including what the service worker fetches for itself; Chromium's own count
(CDP `Network.loadingFinished.encodedDataLength` of the page's requests) is
printed beside it. `--before DIR` measures another checkout too (its app run
from there with PYTHONPATH=DIR) and prints the two side by side;
`--show-requests` lists each scenario's requests as the page saw them (CDP)
and as gunicorn answered them (its access log: the service worker's too).

Scenarios, each in a fresh browser context (empty cache, no service worker),
logged in:
- cold: first open of /scan; the service worker installs (its offline copy);
- warm: the same page reloaded, cache and service worker in place;
- "+ camera": the same, then the camera started and ready (Chromium on Linux
  has no BarcodeDetector: the vendored QR decoder is loaded).

Chromium treats http://127.0.0.1 as a secure origin: it asks for brotli there
as it does over HTTPS, so the compressed sizes are a phone's in the field. The
HTML of /scan is not compressed by the app (a proxy's gzip would do it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
PHONE = {"width": 390, "height": 844}
EMAIL, PASSWORD = "chef@bench-resto.test", "tilleul-marnes-crayeux-1774"
QUIET_SECONDS = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingRelay:
    """127.0.0.1:<port> -> the server, counting the bytes of every connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.down = self.up = 0
        self.last_activity = time.monotonic()
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._run, args=(started,), daemon=True).start()
        started.wait()

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", self.port))
        started.set()
        self.loop.run_until_complete(server.serve_forever())

    async def _connection(self, client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1",
                                                                     self.target_port)
        await asyncio.gather(self._pipe(client_reader, server_writer, "up"),
                             self._pipe(server_reader, client_writer, "down"))

    async def _pipe(self, reader, writer, direction: str) -> None:
        try:
            while data := await reader.read(65536):
                with self.lock:
                    setattr(self, direction, getattr(self, direction) + len(data))
                    self.last_activity = time.monotonic()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def take(self) -> tuple[int, int]:
        """Bytes (down, up) since the last call."""
        with self.lock:
            counted, self.down, self.up = (self.down, self.up), 0, 0
        return counted

    def wait_quiet(self) -> None:
        while True:
            time.sleep(0.25)
            with self.lock:
                if time.monotonic() - self.last_activity >= QUIET_SECONDS:
                    return


@dataclass
class Served:
    label: str
    root: Path
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_offset: int = 0

    def env(self) -> dict:
        return {**os.environ, "PYTHONPATH": str(self.root),
                "DATABASE_URL": f"sqlite:///{self.workdir / 'bench.sqlite3'}",
                "SECRET_KEY": "bench-scan-page-weight", "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "BASE_URL": f"http://127.0.0.1:{self.port}", "WEB_CONCURRENCY": "1",
                "GUNICORN_THREADS": "4"}

    def flask(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "flask", "--app", "bouteilles", *args],
                       cwd=self.root, env=self.env(), check=True, capture_output=True)

    def start(self) -> None:
        self.flask("db", "upgrade")
        self.flask("orgs", "create", "bench-resto", "--name", "Bench", "--kind", "restaurant")
        self.flask("users", "create", EMAIL, "--org", "bench-resto", "--password", PASSWORD)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app",
             "--access-logfile", str(self.access_log),
             "--access-logformat", "%(s)s %({content-length}o)s %({content-encoding}o)s %(r)s"],
            cwd=self.root, env=self.env(), stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "gunicorn.log", "w"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.label}: gunicorn did not start ({self.workdir}/gunicorn.log)")

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    def answered(self) -> list[str]:
        """gunicorn's access log lines since the last call."""
        if not self.access_log.exists():
            return []
        with self.access_log.open() as log:
            log.seek(self.log_offset)
            lines = log.read().splitlines()
            self.log_offset = log.tell()
        return lines

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)


class PageNetwork:
    """The page's requests as Chromium reports them (CDP Network domain)."""

    def __init__(self, context, page) -> None:
        self.rows: dict[str, dict] = {}
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _sent(self, event) -> None:
        self.rows.setdefault(event["requestId"], {})["url"] = event["request"]["url"]

    def _received(self, event) -> None:
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        source = ("service worker" if response.get("fromServiceWorker") else
                  "disk cache" if response.get("fromDiskCache") else
                  "memory cache" if response.get("fromMemoryCache") else "network")
        self.rows.setdefault(event["requestId"], {}).update(
            status=response["status"], source=source,
            encoding=headers.get("content-encoding", ""))

    def _finished(self, event) -> None:
        self.rows.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    def take(self) -> list[dict]:
        rows, self.rows = list(self.rows.values()), {}
        return rows


def measure(served: Served, browser, relay: CountingRelay, storage, show: bool) -> dict:
    from playwright.sync_api import expect

    url = f"http://127.0.0.1:{relay.port}"
    results = {}
    for camera in (False, True):
        context = browser.new_context(
            base_url=url, viewport=PHONE, device_scale_factor=3, is_mobile=True,
            has_touch=True, locale="fr-FR", permissions=["camera"], storage_state=storage,
            service_workers="allow")
        page = context.new_page()
        network = PageNetwork(context, page)
        for visit in ("cold", "warm"):
            relay.take()
            served.answered()
            if visit == "cold":
                page.goto("/scan")
            else:
                page.reload()
            page.locator("#scanner[data-ready=true]").wait_for(state="attached")
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
            if camera:
                page.click("#camera-toggle")
                expect(page.locator("html[data-camera=ready]")).to_be_attached(timeout=30_000)
            relay.wait_quiet()
            down, up = relay.take()
            rows = network.take()
            answered = served.answered()
            key = f"{visit}{' + camera' if camera else ''}"
            results[key] = {"down": down, "up": up, "rows": rows, "answered": answered,
                            "page_bytes": sum(r.get("bytes", 0) for r in rows),
                            "requests": len(answered)}
            if show:
                print(f"-- {served.label}, {key}")
                for row in rows:
                    print(f"   {row.get('bytes', 0):>7}  {row.get('status', '?')!s:>3} "
                          f"{row.get('source', '?'):<14} {row.get('encoding', ''):<5} "
                          f"{row.get('url', '?')}")
                print("   gunicorn answered (status, Content-Length, Content-Encoding, request):")
                for line in results[key]["answered"]:
                    print(f"     {line}")
            if camera:
                page.click("#camera-toggle")
        context.close()
    return results


def log_in(browser, url: str):
    context = browser.new_context(base_url=url, viewport=PHONE)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/login" in page.url:
        raise SystemExit("login failed")
    storage = context.storage_state()
    context.close()
    return storage


def run_tree(label: str, root: Path, show: bool) -> dict:
    from playwright.sync_api import sync_playwright

    served = Served(label, root, Path(tempfile.mkdtemp(prefix=f"bench-weight-{label}-")))
    served.start()
    relay = CountingRelay(served.port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            storage = log_in(browser, f"http://127.0.0.1:{relay.port}")
            results = measure(served, browser, relay, storage, show)
            browser.close()
    finally:
        served.stop()
    return results


def kib(value: int) -> str:
    return f"{value / 1024:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure first")
    parser.add_argument("--show-requests", action="store_true")
    args = parser.parse_args()
    trees = ([("before", args.before.resolve())] if args.before else []) + [("after", ROOT)]
    measured = {label: run_tree(label, root, args.show_requests) for label, root in trees}

    print("\nScan page at 390x844, headless Chromium. KiB on the wire, headers included:")
    print("received / sent: every byte between the phone and gunicorn (the service worker's")
    print("own fetches included); page: Chromium's count for the page's requests (CDP);")
    print("requests: answers gunicorn gave (304s included).\n")
    print(f"| {'scenario':<14} | {'tree':<6} | {'received':>8} | {'sent':>6} | {'page':>6} "
          f"| {'requests':>8} |")
    print(f"|{'-' * 16}|{'-' * 8}|{'-' * 10}|{'-' * 8}|{'-' * 8}|{'-' * 10}|")
    for scenario in ("cold", "warm", "cold + camera", "warm + camera"):
        for label, results in measured.items():
            row = results[scenario]
            print(f"| {scenario:<14} | {label:<6} | {kib(row['down']):>8} | {kib(row['up']):>6} "
                  f"| {kib(row['page_bytes']):>6} | {row['requests']:>8} |")

if __name__ == "__main__":
    main()
