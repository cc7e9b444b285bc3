"""The phone scanner: the /scan page and the offline fallback.

The page itself is a thin shell; the work happens in static/scan/*.js against
the JSON API (/api/v1/items, /api/v1/scans, /api/v1/scans/batch). Its service
worker is a static file served at the site root, /sw.js, so that its scope is
`/` (bouteilles/static_files/).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from ..services.lifecycle import DESTINATION_ACTIONS, SCAN_ACTIONS, may_act
from ..vocabulary import REJECT_REASONS
from .scanner_page import destinations, render_scanner_page, vocabulary_labels

bp = Blueprint("scan", __name__)


@bp.get("/scan")
@login_required
def scan_page():
    org = current_user.org
    context = {
        "org": {"code": org.code, "name": org.name, "kind": org.kind},
        # For offline scans (no item to ask about): what this role may record.
        "actions": [action for action in SCAN_ACTIONS if may_act(org.kind, action)],
        "reasons": list(REJECT_REASONS),
        "destinations": destinations(org),
        "destination_actions": sorted(DESTINATION_ACTIONS),  # the only ones sent with `to`
        # Names of actions, states and reasons (bouteilles/vocabulary.py): the
        # scanner keeps no copy of its own.
        "labels": vocabulary_labels(),
    }
    response = current_app.make_response(render_scanner_page("scan.html", scan=context))
    # The service worker keeps its own copy for offline use; the browser must not.
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker for a page that cannot be reached offline."""
    return render_template("scan_offline.html")
