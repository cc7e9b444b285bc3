"""The static files as served, built from bouteilles/static/ when the app starts.

A build is a directory named after the hash of its inputs (the sources, this
package's code, the minifiers' versions): an unchanged tree costs one read of
the sources, a change makes a new build. In it:

- `static/`: every file under its own name and under a hashed one
  (`scan/scan.3f2a9c1e7b44.js`). Our JavaScript and CSS are minified with
  rjsmin and rcssmin (comments and spaces only: no renaming, no Node);
  vendored files are copied as published. A module's relative imports are
  rewritten to the hashed names, so a page that starts from a hashed name
  loads nothing else. The icons (icons.py) and the web app manifest are made
  here too.
- `root/`: served at the site root: `favicon.ico`, and `sw.js`, the scanner's
  service worker, with the hashed files it keeps offline written at its top.
- beside every file worth it, a `.br` and a `.gz` (WhiteNoise picks the one
  the browser accepts).
- `names.json`: {name: hashed name}. A build is made in a temporary
  directory and renamed when complete, so concurrent starts (gunicorn's
  workers, test processes) never see half of one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import posixpath
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import brotli
import PIL
import rcssmin
import rjsmin

from .icons import PNG_ICONS, THEME_COLOUR, draw_icons

URL_PREFIX = "/static/"
VENDOR = "vendor/"  # copied as published: not minified, not rewritten
SERVICE_WORKER = "scan/sw.js"  # built into root/sw.js, never under a hashed name
# What the pages that scan need offline (the scanner, the counter component):
# these files and every module they import.
SCANNER_SHELL = ("app.css", "scan/scan.css", "scan/scan.js", "scan/counter.js")
APP_MANIFEST = "manifest.webmanifest"
NAMES = "names.json"
HASH_CHARS = 12
UNUSED_BUILD_SECONDS = 7 * 24 * 3600  # an older build no process has started from is removed
# Formats that are compressed already: no .br/.gz beside them.
PRECOMPRESSED = (".png", ".ico", ".gz", ".br", ".woff2")
# A module's relative import in minified code (no comments left to fool it):
# `from "./x.js"`, `import "./x.js"`, `import("./x.js")`.
RELATIVE_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}/[^"'\s]+)\2""")


class StaticBuildError(Exception):
    """The sources cannot be built (a module imports a missing file, or imports form a cycle)."""


@dataclass(frozen=True)
class StaticBuild:
    path: Path
    hashed: dict[str, str]  # name under static/ -> its hashed name

    @property
    def static_dir(self) -> Path:
        return self.path / "static"

    @property
    def root_dir(self) -> Path:
        return self.path / "root"


def ensure_build(source: Path, builds: Path) -> StaticBuild:
    """The build of `source` under `builds`, made now if the inputs changed."""
    builds.mkdir(parents=True, exist_ok=True)
    final = builds / _inputs_digest(source)
    if not (final / NAMES).exists():
        work = Path(tempfile.mkdtemp(prefix=".building-", dir=builds))
        try:
            build_static(source, work)
            try:
                os.rename(work, final)
            except OSError:  # another process finished the same build first
                pass
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _remove_unused_builds(builds, keep=final)
    os.utime(final)  # in use
    return StaticBuild(final, json.loads((final / NAMES).read_text()))


def build_static(source: Path, out: Path) -> dict[str, str]:
    """Build `source` (bouteilles/static/) into the directory `out`; the hashed names."""
    files = _read_tree(source)
    worker = files.pop(SERVICE_WORKER)
    files.update(draw_icons())
    files = {name: _minified(name, data) for name, data in files.items()}
    hashed, imports = _hash_names(files)
    files[APP_MANIFEST] = _app_manifest(hashed)
    hashed[APP_MANIFEST] = _hashed_name(APP_MANIFEST, files[APP_MANIFEST])

    writer = _Writer()
    for name, data in files.items():
        writer.write(out / "static" / name, data)
        writer.write(out / "static" / hashed[name], data)
    writer.write(out / "root" / "favicon.ico", files["icons/favicon.ico"])
    writer.write(out / "root" / "sw.js", _service_worker(worker, hashed, imports))
    (out / NAMES).write_text(json.dumps(hashed, indent=1, sort_keys=True))  # complete
    return hashed


def _inputs_digest(source: Path) -> str:
    digest = hashlib.sha256(_TOOLS_DIGEST)
    for name, data in sorted(_read_tree(source).items()):
        digest.update(f"\0{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


def _read_tree(root: Path, suffix: str = "") -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in root.rglob(f"*{suffix}")
            if path.is_file() and not any(part.startswith((".", "__")) for part in
                                          path.relative_to(root).parts)}


# What builds, as this process loaded it (read at import, not at each build: a
# process started before an edit of this package must not name its output after
# the new code): the package's source and the tools' versions.
_TOOLS_DIGEST = hashlib.sha256(
    f"{rjsmin.__version__} {rcssmin.__version__} {brotli.version} {PIL.__version__}".encode()
    + b"".join(data for _, data in sorted(_read_tree(Path(__file__).parent, ".py").items()))
).digest()


def _minified(name: str, data: bytes) -> bytes:
    if name.startswith(VENDOR):
        return data
    if name.endswith(".js"):
        return rjsmin.jsmin(data.decode()).encode()
    if name.endswith(".css"):
        return rcssmin.cssmin(data.decode()).encode()
    return data


def _hashed_name(name: str, data: bytes) -> str:
    path = PurePosixPath(name)
    digest = hashlib.sha256(data).hexdigest()[:HASH_CHARS]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def _hash_names(files: dict[str, bytes]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Hashed names of `files`, a module after the modules it imports (its imports
    rewritten in `files` to their hashed names); and what each module imports."""
    hashed: dict[str, str] = {}
    imports: dict[str, set[str]] = {}

    def visit(name: str, importers: tuple[str, ...]) -> str:
        if name in importers:
            raise StaticBuildError("modules import each other (content hashes cannot "
                                   f"name each other): {' -> '.join((*importers, name))}")
        if name not in hashed:
            if name.endswith(".js") and not name.startswith(VENDOR):
                imports[name] = set()

                def rewrite(match: re.Match) -> str:
                    keyword, quote, specifier = match.groups()
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(name),
                                                               specifier))
                    if target not in files:
                        raise StaticBuildError(f"{name} imports {specifier}: no such file")
                    imports[name].add(target)
                    new_name = posixpath.basename(visit(target, (*importers, name)))
                    return f"{keyword}{quote}{posixpath.dirname(specifier)}/{new_name}{quote}"

                files[name] = RELATIVE_IMPORT.sub(rewrite, files[name].decode()).encode()
            hashed[name] = _hashed_name(name, files[name])
        return hashed[name]

    for name in sorted(files):
        visit(name, ())
    return hashed, imports


def _app_manifest(hashed: dict[str, str]) -> bytes:
    """The web app manifest: the scanner, installed on a phone's home screen."""
    icons = [{"src": URL_PREFIX + hashed[f"icons/{name}"], "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "maskable" if maskable else "any"}
             for name, size, maskable in PNG_ICONS if name.startswith("icon-")]
    manifest = {
        "id": "/scan",
        "name": "Bouteilles · Scanner",
        "short_name": "Bouteilles",
        "description": "Scanner les bouteilles, boîtes et caisses consignées, "
                       "même sans réseau.",
        "lang": "fr",
        "start_url": "/scan",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f8f7",  # app.css --bg: the splash screen
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    return json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()


def _service_worker(source: bytes, hashed: dict[str, str],
                    imports: dict[str, set[str]]) -> bytes:
    """sw.js with PRECACHE at its top: the scanner's files under their hashed
    names, and a version that changes with them (the name of its cache)."""
    shell: set[str] = set()
    todo = list(SCANNER_SHELL)
    while todo:
        name = todo.pop()
        if name not in shell:
            shell.add(name)
            todo.extend(imports.get(name, ()))
    assets = sorted(URL_PREFIX + hashed[name] for name in shell)
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:HASH_CHARS]
    precache = json.dumps({"version": version, "assets": assets}, separators=(",", ":"))
    head = f"const PRECACHE = {precache};\n"
    return head.encode() + rjsmin.jsmin(source.decode()).encode()


class _Writer:
    """Writes files, and a .br and a .gz beside those that shrink by 5 % or more."""

    def __init__(self) -> None:
        self.compressed: dict[bytes, dict[str, bytes]] = {}  # same bytes, compressed once

    def write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if path.suffix in PRECOMPRESSED or not data:
            return
        if data not in self.compressed:
            variants = {".br": brotli.compress(data),
                        ".gz": gzip.compress(data, compresslevel=9, mtime=0)}
            self.compressed[data] = {suffix: packed for suffix, packed in variants.items()
                                     if len(packed) <= 0.95 * len(data)}
        for suffix, packed in self.compressed[data].items():
            path.with_name(path.name + suffix).write_bytes(packed)


def _remove_unused_builds(builds: Path, keep: Path) -> None:
    cutoff = time.time() - UNUSED_BUILD_SECONDS
    for path in builds.iterdir():
        if path != keep and path.is_dir() and path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)
