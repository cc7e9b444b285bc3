"""Static files as the app serves them: hashed names cached for good, brotli or
gzip as the browser accepts, the favicon, the web app manifest and its icons,
the service worker and the files it keeps offline."""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import brotli
import pytest
from flask import url_for
from PIL import Image

from bouteilles.static_files.icons import THEME_COLOUR

FOREVER = "max-age=315360000, public, immutable"
SCAN_MODULES = sorted(path.name for path in
                      (Path(__file__).parents[2] / "bouteilles" / "static" / "scan").glob("*.js")
                      if path.name != "sw.js")


def hashed(app, name: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=name)


def get(client, url: str, **headers):
    response = client.get(url, headers=headers)
    response.get_data()  # the file is streamed: read it before closing it
    response.close()
    return response


def test_pages_name_hashed_files_cached_for_good(app, client):
    url = hashed(app, "app.css")
    assert re.fullmatch(r"/static/app\.[0-9a-f]{12}\.css", url)
    assert f'href="{url}"' in client.get("/login").text

    response = get(client, url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == FOREVER
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The plain name is served too, for a minute (nothing of ours asks for it).
    plain = get(client, "/static/app.css")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "max-age=60, public"
    assert plain.data == response.data


@pytest.mark.parametrize("accept, encoding", [("gzip, deflate, br, zstd", "br"),
                                              ("gzip, deflate", "gzip"), ("", None)])
def test_compressed_as_the_browser_accepts(app, client, accept, encoding):
    url = hashed(app, "scan/scan.js")
    response = get(client, url, **({"Accept-Encoding": accept} if accept else {}))
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Cache-Control"] == FOREVER
    body = response.data
    text = {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(body)
    assert text == get(client, url).data
    if encoding:
        assert len(body) < len(text) / 2.5


def test_scanner_modules_are_minified_and_import_hashed_names(app, client):
    source = (Path(app.root_path) / "static" / "scan" / "scan.js").read_text()
    served = get(client, hashed(app, "scan/scan.js")).data.decode()
    assert len(served) < 0.85 * len(source.encode())
    assert "/**" not in served  # comments gone
    imported = re.findall(r"""from\s*["']\./([^"']+)["']""", served)
    assert imported, "scan.js imports its modules"
    for name in imported:
        assert re.fullmatch(r"[\w-]+\.[0-9a-f]{12}\.js", name), name
        assert f"/static/scan/{name}" == hashed(app, f"scan/{name.split('.')[0]}.js")
        assert get(client, f"/static/scan/{name}").headers["Cache-Control"] == FOREVER


def test_favicon(client):
    response = get(client, "/favicon.ico")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/x-icon"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert Image.open(io.BytesIO(response.data)).format == "ICO"


def test_web_app_manifest_opens_the_scanner_and_its_icons_are_served(client):
    page = client.get("/login").text
    assert f'<meta name="theme-color" content="{THEME_COLOUR}">' in page
    href = re.search(r'<link rel="manifest" href="([^"]+)"', page)[1]
    response = get(client, href)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/manifest+json"
    assert response.headers["Cache-Control"] == FOREVER
    manifest = json.loads(response.data)
    assert manifest["start_url"] == "/scan" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == THEME_COLOUR
    assert manifest["name"] and manifest["short_name"]

    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(icons) >= {("192x192", "any"), ("512x512", "any"),
                          ("192x192", "maskable"), ("512x512", "maskable")}
    for (sizes, _purpose), src in icons.items():
        icon = get(client, src)
        assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/png"
        assert icon.headers["Cache-Control"] == FOREVER
        image = Image.open(io.BytesIO(icon.data))
        assert f"{image.width}x{image.height}" == sizes
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)"', page)[1]
    assert get(client, touch).status_code == 200


def test_service_worker_keeps_the_scanner_under_its_hashed_names(app, client, login,
                                                                 make_user):
    worker = get(client, "/sw.js")
    assert worker.status_code == 200
    assert worker.headers["Content-Type"].startswith("text/javascript")
    assert worker.headers["Cache-Control"] == "no-cache"  # its URL never changes
    assert worker.headers["Service-Worker-Allowed"] == "/"
    precache = json.loads(re.match(r"const PRECACHE = (\{.*?\});\n", worker.text)[1])
    assets = set(precache["assets"])
    shell = {hashed(app, name) for name in ["app.css", "scan/scan.css"]
             + [f"scan/{module}" for module in SCAN_MODULES]}
    assert assets == shell
    for url in assets:
        assert get(client, url).headers["Cache-Control"] == FOREVER

    # The page asks for the same names, and registers the worker at its one URL.
    login(make_user("restaurant"))
    page = client.get("/scan").text
    assert 'data-sw-url="/sw.js"' in page
    for name in ("scan/scan.js", "scan/scan.css", "app.css"):
        assert f'"{hashed(app, name)}"' in page and hashed(app, name) in assets
    decoder = re.search(r'data-decoder-worker-url="([^"]+)"', page)[1]
    assert re.fullmatch(r"/static/vendor/qr-scanner/qr-scanner-worker\.min\.[0-9a-f]{12}\.js",
                        decoder)
    assert get(client, decoder).status_code == 200
