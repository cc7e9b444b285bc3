"""Reuse Standard passports: one object's, and a month's as JSON Lines.

Who sees what: an object's passport is any member's to read, its history and
latest activity only the coordination's and the members' that had the object
(as `GET /api/v1/items/<code>`); a month's passports are the export's rules
(as the EPCIS export): the coordination's for what it coordinates (a territory:
the objects its members moved), a territory (`territory`) or a member, a
member's for the objects it moved, held or handed on.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from ..auth import api_actor
from ..db.database import get_read_session, get_session
from ..models import User, utcnow
from ..schemas.passports import PASSPORT_LINES, Passport, PassportsQuery
from ..services.exports.passport import Network, item_passport, month_passports
from ..services.items.lookup import can_see_history, get_item
from .impact import _attachment, _file_name, _spooled, parse_month, scope_for
from .openapi import documented

bp = Blueprint("passports", __name__, url_prefix="/api/v1")


def _network() -> Network:
    config = current_app.config
    return Network(namespace=config.get("REUSE_NAMESPACE") or config["BASE_URL"],
                   name=config.get("NETWORK_NAME", "Bouteilles"), base_url=config["BASE_URL"])


@bp.get("/items/<code>/passport")
@documented(answers={200: Passport}, caller=api_actor, refusals=(403, 404, 422, 429))
def show_passport(code: str, caller: User):
    """An object's Reuse Standard passport (passport.schema.json), with the cycle and
    asset type it names.

    Its history and latest activity only for the coordination and the members that had
    the object (`history_hidden`). A code whose check character is wrong is refused (422).
    """
    session = get_session()
    item = get_item(session, code)
    visible = can_see_history(session, item, caller.org)
    return jsonify(item_passport(session, item, network=_network(), visible=visible,
                                 now=utcnow()))


@bp.get("/passports")
@documented(query=PassportsQuery, caller=api_actor, answers={200: PASSPORT_LINES},
            refusals=(403, 404, 422, 429))
def month_passport_lines(caller: User, query: PassportsQuery):
    """The passports of every object that moved in a month, as JSON Lines, each as of
    the month (its latest activity, cycles and history within the month).

    Written whole before it is sent, as the EPCIS export: a failure is an error, not a
    truncated file. Members: the objects they moved, held or handed on.
    """
    month = parse_month(query.month)
    org, scope = scope_for(caller, query.org, query.territory)
    lines, size = _spooled(month_passports(get_read_session(), month, network=_network(),
                                           org_code=org, scope=scope))
    response = Response(lines, mimetype="application/x-ndjson", direct_passthrough=True,
                        headers=_attachment(_file_name("passports", month, org, "jsonl",
                                                       scope)))
    response.content_length = size
    return response
