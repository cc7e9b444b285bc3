"""Browser tests: the app served for real on 127.0.0.1, Debian's Chromium driven by Playwright.

The server runs in a thread (werkzeug) on a temporary SQLite database with
the demo network loaded. Chromium is Debian's (/usr/bin/chromium, or
$CHROMIUM), headless, with a phone viewport; its fake camera plays a Y4M
video made from a real QR label (see `qr_video`).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "tilleul-et-marnes"
OUTPUT = Path(os.environ.get("TEST_OUTPUT", "test-output"))
SCREENSHOTS = OUTPUT / "screenshots"


def demo_email(org_code: str) -> str:
    return f"{org_code}@demo.bouteilles.fr"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    app: Flask
    url: str
    server: object
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


def start_live_server(workdir: Path, *, wrap=None) -> LiveServer:
    """Serve a fresh app (temporary SQLite, demo loaded) on 127.0.0.1:<free port>.

    `wrap`, if given, wraps the WSGI app (the bench uses it to count bytes).
    """
    from bouteilles import create_app
    from bouteilles.db.database import get_session, upgrade_database
    from bouteilles.demo.network import load_demo

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
        "SECRET_KEY": "e2e-secret-key",
        "BASE_URL": url,
        "LOGIN_LIMITS": False,
    })
    upgrade_database(app)
    with app.app_context():
        session = get_session()
        load_demo(session)
        session.commit()
    wsgi = wrap(app.wsgi_app) if wrap else app
    server = make_server("127.0.0.1", port, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    return LiveServer(app, url, server, thread)


def commission_boxes(app: Flask, count: int, *, holder: str = "resto-le-comptoir",
                     type_code: str = "bocal-500") -> list[str]:
    """New clean boxes at `holder`, commissioned by the demo washing site; their codes."""
    from sqlalchemy import select

    from bouteilles.db.database import get_session
    from bouteilles.models import User
    from bouteilles.services.movements import commission_containers

    with app.app_context():
        session = get_session()
        actor = session.scalar(select(User).where(User.email == demo_email("lavage-lons")))
        boxes = commission_containers(session, actor=actor, type_code=type_code, count=count,
                                      holder_code=holder)
        codes = [box.code for box in boxes]
        session.commit()
    return codes


def write_qr_y4m(path: Path, url: str, code: str, *, width: int = 640, height: int = 480,
                 frames: int = 10) -> Path:
    """A short Y4M video of a printed QR label held in front of the camera.

    The label is the project's own PNG rendering, slightly rotated on a grey
    counter, with a little sensor noise, centred so it is in the scan region.
    """
    from PIL import Image, ImageChops

    from bouteilles.services.labels.rendering import Label, render_png

    label = Image.open(io.BytesIO(render_png(Label(code=code, url=url), size_px=300))).convert("L")
    label = label.rotate(7, expand=True, fillcolor=170, resample=Image.BICUBIC)
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for frame in range(frames):
            scene = Image.new("L", (width, height), 170)
            dx, dy = frame % 3 - 1, frame % 2  # a hand is never quite still
            scene.paste(label, ((width - label.width) // 2 + dx, (height - label.height) // 2 + dy))
            noise = Image.effect_noise((width, height), 6)  # sensor noise around 128
            luma = ImageChops.add(scene, noise, scale=1.0, offset=-128)
            out.write(b"FRAME\n" + luma.tobytes() + chroma + chroma)
    return path


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def camera_code(live_server) -> str:
    """The box whose QR label the fake camera shows."""
    return commission_boxes(live_server.app, 1)[0]


@pytest.fixture(scope="session")
def qr_video(tmp_path_factory, live_server, camera_code) -> Path:
    path = tmp_path_factory.mktemp("camera") / "label.y4m"
    return write_qr_y4m(path, f"{live_server.url}/q/{camera_code}", camera_code)


@pytest.fixture(scope="session")
def browser(qr_video):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS + [
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={qr_video}",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        permissions=["camera"],
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def profile_scanner(browser, live_server, tmp_path):
    """The scanner, ready, logged in as the demo restaurant, in a phone's browser
    with a profile on disk (from an incognito context, as `context` is, Chromium
    installs no app): its page."""
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "resto-le-comptoir")
    page.goto("/scan")
    page.locator("#scanner[data-ready=true]").wait_for(state="attached")
    yield page
    context.close()


def log_in(page, org_code: str) -> None:
    """Log in through the real form."""
    page.goto("/login")
    page.fill("#email", demo_email(org_code))
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, "login failed"


def open_menu(page) -> None:
    """Unfold the phone's "Menu" (the top bar's links are folded into it at 390 px)."""
    menu = page.locator("header details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def boxes(live_server):
    """boxes(n): codes of n new clean boxes at the demo restaurant."""
    return lambda count, **kw: commission_boxes(live_server.app, count, **kw)


@pytest.fixture
def open_scanner(page):
    """open_scanner(org): log in as that demo organisation and open /scan, ready."""
    def open_(org_code: str = "resto-le-comptoir") -> None:
        log_in(page, org_code)
        page.goto("/scan")
        page.locator("#scanner[data-ready=true]").wait_for(state="attached")

    return open_


@pytest.fixture
def shot(page):
    """shot(name): a full-page screenshot under test-output/screenshots/."""
    return lambda name: screenshot(page, name)

