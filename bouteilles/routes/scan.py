"""The phone scanner: the /scan page and the offline fallback.

The page itself is a thin shell; the work happens in static/scan/*.js against
the JSON API (/api/v1/items, /api/v1/scans, /api/v1/scans/batch). Its service
worker is a static file served at the site root, /sw.js, so that its scope is
`/` (bouteilles/static_files/).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from ..db.database import get_session
from ..i18n import get_locale, scanner_catalogue
from ..models import Organisation
from ..services.lifecycle import DESTINATION_ACTIONS, SCAN_ACTIONS, may_act
from ..vocabulary import LABELS, REJECT_REASONS, SCANNER_LISTS

bp = Blueprint("scan", __name__)


def _labels() -> dict[str, dict[str, str]]:
    """What the scanner names (actions, what they did, states, reasons), by list then
    code, in the reader's language."""
    return {name: {code: gettext(label) for code, label in LABELS[name].items()}
            for name in SCANNER_LISTS}


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
        "labels": _labels(),
    }
    response = current_app.make_response(render_template(
        "scan.html", scan=context, scanner_messages=scanner_catalogue(get_locale())))
    # The service worker keeps its own copy for offline use; the browser must not.
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker for a page that cannot be reached offline."""
    return render_template("scan_offline.html")
