"""JSON API v1: pickup requests ("bac plein"), asked by members, read by collectors."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..auth import api_actor
from ..db.database import get_session
from ..models import User
from ..schemas.base import read
from ..schemas.pickups import NewPickup, Pickup, PickupList
from ..services import pickups
from .openapi import documented, json_body

bp = Blueprint("api_pickups", __name__, url_prefix="/api/v1/pickups")


@bp.post("")
@documented(body=NewPickup, reads_body=False, caller=api_actor,
            answers={201: Pickup, 200: Pickup}, refusals=(403, 413, 422, 429))
def post_pickup(caller: User):
    """Ask for a collection at the caller's organisation (a restaurant or a collection
    point; other kinds: 403).

    201 with the new request; 200 with the open one when the member already has one
    (its note replaced by the new one, if given). A body may be empty.
    """
    body: NewPickup = read(NewPickup, json_body() if request.get_data() else {})
    session = get_session()
    asked = pickups.request_pickup(session, actor=caller, note=body.note)
    session.commit()
    return jsonify(pickups.describe_pickup(asked.request)), 201 if asked.created else 200


@bp.get("")
@documented(caller=api_actor, answers={200: PickupList}, refusals=(403, 429))
def list_pickups(caller: User):
    """Pickup requests, for a collector or the coordination (others: 403)."""
    session = get_session()
    rows = pickups.pickup_list(session, pickups.reader_scope(caller))
    return jsonify({"rows": [pickups.describe_pickup(r) for r in rows]})


@bp.post("/<int:request_id>/cancel")
@documented(caller=api_actor, answers={200: Pickup}, refusals=(403, 404, 409, 429))
def cancel_pickup(request_id: int, caller: User):
    """Withdraw the caller's organisation's open request (another member's: 403;
    one no longer open: 409)."""
    session = get_session()
    cancelled = pickups.cancel_pickup(session, pickups.get_pickup(session, request_id),
                                      actor=caller)
    session.commit()
    return jsonify(pickups.describe_pickup(cancelled))
