"""JSON API v1: an object's ownership transferred (the coordination's administrators)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth import api_actor
from ..db.database import commit_session, get_session
from ..models import User
from ..schemas.items import Transfer, TransferAnswer
from ..services.movements import submit_once, transfer_ownership
from .openapi import documented

bp = Blueprint("api_ownership", __name__, url_prefix="/api/v1")


@bp.post("/items/<code>/transfer")
@documented(body=Transfer, caller=api_actor, answers={201: TransferAnswer, 200: TransferAnswer},
            refusals=(403, 404, 409, 422, 429))
def post_transfer(code: str, caller: User, body: Transfer):
    """Give the object a new owner (`to`): a `transfer` event, the state and the holder
    unchanged. An admin coordinator; a territory's, for the objects it has in hand
    (another territory's: 403). The same `idempotency_key` again: 200, the same body."""
    session = get_session()

    def transfer() -> dict:
        return transfer_ownership(session, caller, [code], body.to,
                                  idempotency_key=body.idempotency_key).body(session)

    if body.idempotency_key is None:
        status, answer = 201, transfer()
    else:
        status, answer = submit_once(session, caller, f"transfer:{body.idempotency_key}",
                                     transfer)
    commit_session()
    return jsonify(answer), status
