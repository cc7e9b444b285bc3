"""Static files: built when the sources change (build.py), served by WhiteNoise.

`url_for('static', filename='app.css')` gives the file's hashed URL
(`/static/app.1f0c3a9e2b7d.css`), which is cached for good (`immutable`): a
new content is a new name. A file's plain name is served too, cached for a
minute. `/sw.js` (the scanner's service worker: its URL must not change) is
revalidated on every check; `/favicon.ico` is cached for a day. Brotli or
gzip is chosen from Accept-Encoding among the files compressed at build time.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

from .build import URL_PREFIX, StaticBuild, ensure_build
from .icons import THEME_COLOUR

__all__ = ["StaticBuild", "init_app"]


def init_app(app: Flask) -> None:
    """Build the static files if needed and serve them in front of the app."""
    build = ensure_build(Path(app.root_path) / "static", Path(app.instance_path) / "static")
    app.extensions["static_build"] = build
    app.static_folder = build.static_dir  # Flask's own static view, should a request reach it
    app.jinja_env.globals["theme_colour"] = THEME_COLOUR
    immutable = {URL_PREFIX + name for name in build.hashed.values()}

    @app.url_defaults
    def hashed_static_name(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = build.hashed.get(values["filename"], values["filename"])

    server = WhiteNoise(
        app.wsgi_app, root=build.static_dir, prefix=URL_PREFIX, max_age=60,
        allow_all_origins=False, mimetypes={".webmanifest": "application/manifest+json"},
        immutable_file_test=lambda path, url: url in immutable,
        add_headers_function=_headers,
    )
    server.add_files(build.root_dir, prefix="/")
    app.wsgi_app = server


def _headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
    if url == "/sw.js":
        # The browser compares it byte for byte to find a new version of the scanner.
        headers["Cache-Control"] = "no-cache"
        headers["Service-Worker-Allowed"] = "/"
    elif url == "/favicon.ico":
        headers["Cache-Control"] = "public, max-age=86400"
