"""The coordinator's loops page: each loop's distance, by road or estimated, and the
loops past the network's limit or the reuse break-even distance.

A territorial coordination sees the loops whose washing site is one of its
members; the national coordination sees them all.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..db.database import get_session
from ..models import utcnow
from ..services.geography.loops import WINDOW_DAYS, recent_loops
from ..services.geography.settings import geo_settings
from ..vocabulary import KIND_LABELS, LOOP_NAMES
from .formatting import register_filters
from .guard import guard_blueprint
from .scoping import current_scope

bp = Blueprint("loops", __name__, url_prefix="/admin")
guard_blueprint(bp, "coordination_pages")
register_filters(bp)


def geocoder_on() -> bool:
    """Whether the address service is configured (the organisation form's button)."""
    return bool(geo_settings().geocoder_url)


def map_tiles() -> dict:
    """The map's tile URL template (empty: no map) and its credit (HTML)."""
    return {"url": current_app.config.get("MAP_TILE_URL") or "",
            "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or ""}


bp.add_app_template_global(geocoder_on, "geocoder_on")
bp.add_app_template_global(map_tiles, "map_tiles")

SHOWN = 200  # loops listed, longest first; the rest are shorter


@bp.get("/loops")
def loops():
    """The loops of the last WINDOW_DAYS days, longest first, and the members without
    coordinates."""
    scope = current_scope()
    view = recent_loops(get_session(), utcnow(), scope=scope)
    return render_template("admin/loops.html", view=view, shown=view.loops[:SHOWN],
                           scope=scope, window_days=WINDOW_DAYS,
                           loop_name=lambda family: LOOP_NAMES.get(family, family),
                           kind_label=lambda kind: KIND_LABELS.get(kind, kind))
