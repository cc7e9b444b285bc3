"""The phone scanner: the /scan page, its service worker and the offline fallback.

The page itself is a thin shell; the work happens in static/scan/*.js against
the JSON API (/api/v1/items, /api/v1/scans, /api/v1/scans/batch). The service
worker is a static file served from the site root so that its scope is `/`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, render_template, send_file
from flask_login import current_user, login_required
from sqlalchemy import select

from ..db.database import get_session
from ..i18n import get_locale
from ..models import Organisation
from ..services.lifecycle import DESTINATION_ACTIONS, SCAN_ACTIONS, may_act
from ..vocabulary import REJECT_REASONS, scanner_labels

bp = Blueprint("scan", __name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# The files that make the offline scan page: their content decides the version
# of the service worker's cache, so any change reaches phones on the next visit.
SHELL_FILES = ("scan/scan.css", "scan/scan.js", "scan/api.js", "scan/camera.js",
               "scan/codes.js", "scan/feedback.js", "scan/queue.js", "scan/view.js",
               "scan/sw.js", "app.css")


@cache
def _asset_version(static_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        path = static_dir / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def asset_version() -> str:
    """A short hash of the scan page's static files (recomputed per process)."""
    static_dir = Path(current_app.static_folder or STATIC_DIR)
    if current_app.debug:
        _asset_version.cache_clear()
    return _asset_version(static_dir)


def _destinations(kind: str) -> list[dict]:
    """Organisations this user may name as `to` (deliver / collect), by name."""
    if not any(may_act(kind, action) for action in DESTINATION_ACTIONS):
        return []
    rows = get_session().execute(
        select(Organisation.code, Organisation.name, Organisation.kind)
        .where(Organisation.active.is_(True))
        .order_by(Organisation.name)
    )
    return [{"code": code, "name": name, "kind": org_kind} for code, name, org_kind in rows]


@bp.get("/scan")
@login_required
def scan_page():
    org = current_user.org
    context = {
        "org": {"code": org.code, "name": org.name, "kind": org.kind},
        # For offline scans (no item to ask about): what this role may record.
        "actions": [action for action in SCAN_ACTIONS if may_act(org.kind, action)],
        "reasons": list(REJECT_REASONS),
        "destinations": _destinations(org.kind),
        "destination_actions": sorted(DESTINATION_ACTIONS),  # the only ones sent with `to`
        # Names of actions, states and reasons (bouteilles/vocabulary.py): the
        # scanner keeps no copy of its own.
        "labels": scanner_labels(get_locale()),
    }
    response = current_app.make_response(
        render_template("scan.html", scan=context, asset_version=asset_version())
    )
    # The service worker keeps its own copy for offline use; the browser must not.
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.get("/sw.js")
def service_worker():
    response = send_file(STATIC_DIR / "scan" / "sw.js", mimetype="text/javascript",
                         max_age=0, etag=True, conditional=True)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers.pop("Content-Disposition", None)
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker for a page that cannot be reached offline."""
    return render_template("scan_offline.html")
