"""The static build: one per state of the sources, hashed names that follow the
content (a module's with its imports'), and sources it refuses."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bouteilles.static_files.build import StaticBuildError, build_static, ensure_build

STATIC = Path(__file__).parents[2] / "bouteilles" / "static"


@pytest.fixture
def source(tmp_path) -> Path:
    """A copy of bouteilles/static/ to change."""
    return Path(shutil.copytree(STATIC, tmp_path / "static"))


def precache(build) -> dict:
    text = (build.root_dir / "sw.js").read_text()
    return json.loads(re.match(r"const PRECACHE = (\{.*?\});\n", text)[1])


def test_a_change_makes_a_new_build_and_renames_only_what_it_reaches(source, tmp_path):
    builds = tmp_path / "builds"
    first = ensure_build(source, builds)
    assert ensure_build(source, builds).path == first.path  # unchanged: reused

    with (source / "scan" / "codes.js").open("a") as out:
        out.write("export const CHANGED = true;\n")
    second = ensure_build(source, builds)
    assert second.path != first.path
    before, after = first.hashed, second.hashed
    assert after["scan/codes.js"] != before["scan/codes.js"]
    # scan.js imports codes.js: its content names codes.js's new name, so it has a new name too.
    assert after["scan/scan.js"] != before["scan/scan.js"]
    assert after["scan/api.js"] == before["scan/api.js"]  # untouched: phones keep their copy
    assert after["app.css"] == before["app.css"]
    # The service worker lists the new names, under a new cache version.
    assert precache(second)["version"] != precache(first)["version"]
    assert "/static/" + after["scan/codes.js"] in precache(second)["assets"]
    for name, hashed_name in after.items():
        assert (second.static_dir / hashed_name).read_bytes() == \
            (second.static_dir / name).read_bytes()


def test_each_file_worth_it_has_brotli_and_gzip_beside_it(source, tmp_path):
    hashed = build_static(source, tmp_path / "out")
    static = tmp_path / "out" / "static"
    for name in ("scan/scan.js", "app.css", "vendor/qr-scanner/qr-scanner-worker.min.js",
                 "manifest.webmanifest"):
        for suffix in (".br", ".gz"):
            assert (static / (hashed[name] + suffix)).stat().st_size > 0
    assert not (static / (hashed["icons/icon-512.png"] + ".gz")).exists()
    assert (tmp_path / "out" / "root" / "sw.js.br").exists()
    # Vendored files are served as published.
    vendored = "vendor/qr-scanner/qr-scanner.min.js"
    assert (static / hashed[vendored]).read_bytes() == (source / vendored).read_bytes()


@pytest.mark.parametrize("module, error", [
    ("queue.js", "scan/queue.js imports ./missing.js: no such file"),
    ("codes.js", "modules import each other"),  # scan.js imports codes.js, and back
])
def test_a_broken_import_is_refused(source, tmp_path, module, error):
    target = "./missing.js" if module == "queue.js" else "./scan.js"
    path = source / "scan" / module
    path.write_text(f'import "{target}";\n' + path.read_text())
    with pytest.raises(StaticBuildError, match=re.escape(error)):
        build_static(source, tmp_path / "out")
