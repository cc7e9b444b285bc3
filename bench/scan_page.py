"""Figures for the scan page: bytes to open it cold, time to a ready camera.

    .venv/bin/python bench/scan_page.py [--runs 5]

Serves the app on 127.0.0.1 (temporary SQLite, demo loaded) through a WSGI
wrapper that counts every byte the server sends (status line, headers, body),
and drives Debian's headless Chromium with a phone viewport and a fake camera
showing a QR label. Each run uses a fresh browser context (empty HTTP cache,
no service worker) holding only the session cookie, so "cold" means a phone
that has never opened the page. Prints:

- bytes to open /scan (document + CSS + JS), without and with the service
  worker's install (which fetches the offline copy of the shell);
- bytes added when the camera is started: the vendored QR decoder (Chromium
  on Linux has no BarcodeDetector, so the decoder is always needed here);
- time from navigation start to camera ready (the "Scanner avec la caméra"
  button tapped as soon as the page is ready), and from the tap to ready;
- gzip sizes, for a deployment behind a compressing proxy.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    commission_boxes,
    log_in,
    start_live_server,
    write_qr_y4m,
)
from playwright.sync_api import sync_playwright  # noqa: E402

STATIC = ROOT / "bouteilles" / "static"


class ByteCounter:
    """WSGI wrapper recording (path, status, bytes sent) for every response."""

    def __init__(self, app):
        self.app = app
        self.rows: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        head = {}

        def counting_start_response(status, headers, exc_info=None):
            # What goes on the wire: status line, headers, blank line (werkzeug adds
            # Server and Date, about 60 bytes, counted as 60 below).
            head["status"] = status
            head["bytes"] = (len(f"HTTP/1.1 {status}\r\n") + 2 + 60
                             + sum(len(k) + len(v) + 4 for k, v in headers))
            return start_response(status, headers, exc_info)

        result = self.app(environ, counting_start_response)
        body = 0
        try:
            for chunk in result:
                body += len(chunk)
                yield chunk
        finally:
            if hasattr(result, "close"):
                result.close()
            with self.lock:
                self.rows.append((path, head.get("status", "?"), head.get("bytes", 0) + body))

    def take(self) -> list[tuple[str, str, int]]:
        with self.lock:
            rows, self.rows = self.rows, []
        return rows


def total(rows) -> int:
    return sum(size for _, _, size in rows)


def wait_quiet(counter: ByteCounter, seconds: float = 1.0) -> None:
    """Wait until the server has sent nothing for `seconds`."""
    last = -1
    while True:
        time.sleep(seconds)
        with counter.lock:
            now = len(counter.rows)
        if now == last:
            return
        last = now


def one_run(browser, url, storage, counter, *, service_worker: bool) -> dict:
    context = browser.new_context(
        base_url=url, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="fr-FR", permissions=["camera"], storage_state=storage,
        service_workers="allow" if service_worker else "block",
    )
    page = context.new_page()
    counter.take()
    page.goto("/scan")
    page.locator("#scanner[data-ready=true]").wait_for(state="attached")
    page.click("#camera-toggle")
    page.locator("html[data-camera=ready]").wait_for(state="attached", timeout=30_000)
    timing = page.evaluate("""() => {
        const ready = performance.getEntriesByName("camera-ready")[0].startTime;
        const tap = performance.getEntriesByName("camera-start")[0].startTime;
        return {from_navigation_ms: ready, from_tap_ms: ready - tap,
                decoder_name: document.documentElement.dataset.decoder};
    }""")
    wait_quiet(counter)
    rows = counter.take()
    context.close()
    decoder = [r for r in rows if "/static/vendor/" in r[0]]
    # Not part of opening the page: the lookup of the code the camera read, the favicon.
    other = [r for r in rows if r[0].startswith("/api/") or r[0] == "/favicon.ico"]
    page_rows = [r for r in rows if r not in decoder and r not in other]
    return {"rows": rows, "page": total(page_rows), "decoder": total(decoder), **timing}


def gzip_size(paths) -> int:
    return sum(len(gzip.compress(p.read_bytes(), 9)) for p in paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    counter: ByteCounter | None = None

    def wrap(app):
        nonlocal counter
        counter = ByteCounter(app)
        return counter

    workdir = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    server = start_live_server(workdir, wrap=wrap)
    code = commission_boxes(server.app, 1)[0]
    video = write_qr_y4m(workdir / "label.y4m", f"{server.url}/q/{code}", code)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream",
                                      "--use-fake-ui-for-media-stream",
                                      f"--use-file-for-fake-video-capture={video}"])
            login = browser.new_context(base_url=server.url, viewport=PHONE)
            page = login.new_page()
            log_in(page, "resto-le-comptoir")
            storage = login.storage_state()
            login.close()

            no_sw = [one_run(browser, server.url, storage, counter, service_worker=False)
                     for _ in range(args.runs)]
            with_sw = [one_run(browser, server.url, storage, counter, service_worker=True)
                       for _ in range(args.runs)]
            browser.close()
    finally:
        server.stop()

    first = no_sw[0]
    print("Scan page, cold (fresh context, empty cache), headless Chromium "
          f"{'(Debian)' if CHROMIUM.startswith('/usr') else ''}, 390x844 viewport")
    print(f"  decoder used: {first['decoder_name']}")
    print("  requests of one cold open + camera start (bytes on the wire, headers included):")
    for path, status, size in first["rows"]:
        print(f"    {size:>8}  {status:<16} {path}")
    print("  requests added by the service worker's install (first cold open with it):")
    added = Counter((p, st) for p, st, _ in with_sw[0]["rows"])
    added.subtract((p, st) for p, st, _ in first["rows"])
    for path, status, size in with_sw[0]["rows"]:
        if added[(path, status)] > 0:
            added[(path, status)] -= 1
            print(f"    {size:>8}  {status:<16} {path}")
    page_bytes = statistics.median(r["page"] for r in no_sw)
    decoder_bytes = statistics.median(r["decoder"] for r in no_sw)
    sw_page_bytes = statistics.median(r["page"] for r in with_sw)
    kib = 1024
    print(f"  open /scan, decoder excluded:            {page_bytes / kib:7.1f} KiB "
          f"({page_bytes:.0f} B)")
    both = page_bytes + decoder_bytes
    print(f"  open /scan + camera, decoder included:   {both / kib:7.1f} KiB "
          f"(decoder {decoder_bytes:.0f} B)")
    print(f"  open /scan with service-worker install:  {sw_page_bytes / 1024:7.1f} KiB "
          "(the worker fetches its offline copy once)")

    shell = sorted((STATIC / "scan").glob("*.js")) + sorted((STATIC / "scan").glob("*.css"))
    shell = [p for p in shell if p.name != "sw.js"] + [STATIC / "app.css"]
    vendor = sorted((STATIC / "vendor" / "qr-scanner").glob("*.js"))
    print(f"  gzip -9 of the page's static files: {gzip_size(shell) / 1024:.1f} KiB; "
          f"of the decoder: {gzip_size(vendor) / 1024:.1f} KiB")

    for label, runs in (("no service worker", no_sw), ("service worker", with_sw)):
        nav = [r["from_navigation_ms"] for r in runs]
        tap = [r["from_tap_ms"] for r in runs]
        print(f"  camera ready ({label}, {len(runs)} runs): median {statistics.median(nav):.0f} ms "
              f"from navigation start (min {min(nav):.0f}, max {max(nav):.0f}); "
              f"median {statistics.median(tap):.0f} ms from the tap")


if __name__ == "__main__":
    main()
