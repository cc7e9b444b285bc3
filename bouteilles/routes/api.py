"""JSON API v1: health, items, scans, containers, crates, stock, deposits."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..auth import api_actor, api_scanner, bearer_token
from ..db.database import commit_session, get_engine, get_session
from ..services import access, lifecycle
from ..services import deposits as deposit_service
from ..services.errors import BouteillesError, ValidationError
from ..services.items.lookup import (
    describe_event,
    describe_item,
    get_item,
    get_org,
    get_type,
    visible_history,
)
from ..services.items.stock import stock_rows
from ..services.members.accounts import Actor
from ..services.movements import commission_containers, create_crate, submit_scan, submit_token_scan
from ..services.payload import optional_int, optional_str, required_str
from .errors import internal_error_body, refusal_body

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_BATCH_SCANS = 1000


def json_body() -> dict:
    """The request's JSON object, or a clear 422."""
    if not request.is_json:
        raise ValidationError("Envoyez du JSON (Content-Type: application/json).")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("Le corps de la requête doit être un objet JSON valide.")
    return data


@bp.get("/health")
def health():
    """Liveness and database check."""
    try:
        get_session().execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database}), status


@bp.get("/items/<code>")
def show_item(code: str):
    """A container or crate with its history and the actions open to the caller."""
    actor = api_actor()
    session = get_session()
    item = get_item(session, code)
    body = describe_item(session, item)
    body["actions"] = lifecycle.available_actions(actor.org.kind, item.state)
    suggested = lifecycle.suggested_action(actor.org.kind, item.state)
    body["suggested"] = suggested if suggested in body["actions"] else None
    # Only the coordination and the members in the history read it (items.can_see_history).
    history = visible_history(session, item, actor.org)
    body["history"] = [describe_event(e) for e in history or ()]
    body["history_hidden"] = history is None
    return jsonify(body)


@bp.post("/scans")
def post_scan():
    """Record one scan, once per idempotency key."""
    token = bearer_token()
    data = request.get_json(silent=True) if request.is_json else None
    if token is not None and isinstance(data, dict):  # the counter's phone: the hot path
        status, body = submit_token_scan(get_engine(), get_session, token, data)
    else:
        status, body = submit_scan(get_session(), api_scanner(), json_body())
    commit_session()
    return jsonify(body), status


@bp.post("/scans/batch")
def post_scan_batch():
    """Record many scans, each on its own (the phone's offline queue)."""
    actor = api_scanner()
    scans = json_body().get("scans")
    if not isinstance(scans, list) or len(scans) > MAX_BATCH_SCANS:
        raise ValidationError("« scans » doit être une liste de {n} scans au plus.",
                              n=MAX_BATCH_SCANS)
    session = get_session()
    results = []
    for scan in scans:
        status, body = _batch_scan(session, actor, scan)
        key = scan.get("idempotency_key") if isinstance(scan, dict) else None
        results.append({"idempotency_key": key, "status": status, "body": body})
    session.commit()
    return jsonify({"results": results})


def _batch_scan(session: Session, actor: Actor, scan: object) -> tuple[int, dict]:
    """One scan of a batch in its own savepoint: whatever refuses or breaks it
    undoes that scan alone, so the rest of a phone's offline queue is kept."""
    savepoint = session.begin_nested()
    try:
        answer = submit_scan(session, actor, scan)
    except BouteillesError as exc:
        savepoint.rollback()
        return exc.status, refusal_body(exc)
    except Exception:  # noqa: BLE001 - one broken scan must not sink the others
        savepoint.rollback()  # if this fails too, the request fails whole: nothing is kept
        current_app.logger.exception("a scan of a batch failed: %r", scan)
        # The phone keeps a scan answered 5xx in its queue and sends it again later.
        return 500, internal_error_body()
    savepoint.commit()
    return answer


@bp.post("/containers")
def post_containers():
    """Commission new labelled containers, clean."""
    actor = api_actor()
    data = json_body()
    session = get_session()
    boxes = commission_containers(
        session, actor=actor, type_code=required_str(data, "type", max_length=64),
        count=optional_int(data.get("count"), field="count", minimum=1, maximum=10_000) or 1,
        holder_code=optional_str(data, "holder", max_length=64),
    )
    session.commit()
    return jsonify({"codes": [b.code for b in boxes], "crate": None}), 201


@bp.post("/crates")
def post_crate():
    """Commission a crate carrying a counted quantity of one type."""
    actor = api_actor()
    data = json_body()
    quantity = optional_int(data.get("quantity"), field="quantity", maximum=1_000_000)
    if quantity is None:
        raise ValidationError("Le champ « quantity » est obligatoire.")
    session = get_session()
    crate = create_crate(
        session, actor=actor, type_code=required_str(data, "type", max_length=64),
        quantity=quantity, holder_code=optional_str(data, "holder", max_length=64),
        state=optional_str(data, "state", max_length=16) or "clean",
    )
    session.commit()
    return jsonify({"code": crate.code, "quantity": crate.quantity, "state": crate.state,
                    "type": crate.type.code, "holder": crate.holder.code}), 201


def _own_org_filter(actor, org_code: str | None) -> int | None:
    """Members see their own organisation; the coordinator sees any (or all)."""
    session = get_session()
    if access.may(actor, "oversee_network"):
        return get_org(session, org_code).id if org_code else None
    if org_code and org_code != actor.org.code:
        access.require(actor, "oversee_network")
    return actor.org_id


@bp.get("/stock")
def get_stock():
    """Counts by holder, type and state (containers plus crate quantities)."""
    actor = api_actor()
    session = get_session()
    args = request.args
    type_id = get_type(session, args["type"]).id if args.get("type") else None
    state = args.get("state") or None
    if state is not None and state not in lifecycle.LIVE_STATES + ("rejected", "lost"):
        raise ValidationError("État inconnu « {state} ».", state=state)
    holder_id = _own_org_filter(actor, args.get("holder"))
    return jsonify({"rows": stock_rows(session, holder_id=holder_id, type_id=type_id,
                                       state=state)})


@bp.get("/deposits")
def get_deposits():
    """Deposits taken, refunded and held per organisation, with settlements."""
    actor = api_actor()
    session = get_session()
    org_id = _own_org_filter(actor, request.args.get("org"))
    month = request.args.get("month") or None
    return jsonify({
        "rows": deposit_service.deposit_rows(session, org_id=org_id, month=month),
        "settlements": deposit_service.settlements(session, org_id=org_id, month=month),
    })
