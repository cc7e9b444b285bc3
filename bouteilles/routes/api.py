"""JSON API v1: health, items, scans, containers, crates, stock, deposits."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..auth import api_actor, api_scanner, bearer_token
from ..db.database import commit_session, get_engine, get_session
from ..models import User
from ..schemas.items import (
    NewContainers,
    NewContainersAnswer,
    NewCrate,
    NewCrateAnswer,
    Relabel,
    RelabelAnswer,
    StockAnswer,
    StockQuery,
)
from ..schemas.reports import DepositsAnswer, DepositsQuery
from ..schemas.scans import (
    ItemDetail,
    Scan,
    ScanAnswer,
    ScanBatch,
    ScanBatchAnswer,
    ScanReplay,
    Undo,
    UndoAnswer,
)
from ..schemas.status import Health
from ..services import bottle_models, lifecycle
from ..services import deposits as deposit_service
from ..services.errors import BouteillesError
from ..services.items.lookup import (
    describe_event,
    describe_item,
    get_item,
    get_type,
    readable_org,
    visible_history,
)
from ..services.items.stock import stock_rows
from ..services.members.accounts import Actor
from ..services.movements import (
    commission_containers,
    create_crate,
    relabel_item,
    submit_once,
    submit_scan,
    submit_token_scan,
    undo_event,
)
from .errors import internal_error_body, refusal_body
from .openapi import documented, json_body

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/health")
@documented(answers={200: Health, 503: Health}, public=True, refusals=())
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
@documented(answers={200: ItemDetail}, caller=api_actor, refusals=(403, 404, 422, 429))
def show_item(code: str, caller: User):
    """A container or crate with its history and the actions open to the caller.

    A code whose check character is wrong (a typo) is refused (422), not looked up.
    """
    session = get_session()
    item = get_item(session, code)
    body = describe_item(session, item)
    body["model"] = bottle_models.model_body(item.type.model)
    body["actions"] = lifecycle.available_actions(
        caller.org.kind, item.state, holder_kind=item.holder.kind,
        own=item.holder_id == caller.org_id)
    suggested = lifecycle.suggested_action(caller.org.kind, item.state)
    body["suggested"] = suggested if suggested in body["actions"] else None
    # Only the coordination and the members in the history read it (items.can_see_history).
    history = visible_history(session, item, caller.org)
    body["history"] = [describe_event(e) for e in history or ()]
    body["history_hidden"] = history is None
    return jsonify(body)


@bp.post("/scans")
@documented(body=Scan, reads_body=False, answers={201: ScanAnswer, 200: ScanReplay})
def post_scan():
    """Record one scan, once per idempotency key.

    The same key again answers 200 with the first answer, refusals included. 422
    also for what the schema cannot say: a code's check character, a time more than
    10 minutes ahead or 90 days back; a 422 is not remembered under its key.
    """
    token = bearer_token()
    data = request.get_json(silent=True) if request.is_json else None
    if token is not None and isinstance(data, dict):  # the counter's phone: the hot path
        status, body = submit_token_scan(get_engine(), get_session, token, data)
    else:
        status, body = submit_scan(get_session(), api_scanner(), json_body())
    commit_session()
    return jsonify(body), status


@bp.post("/scans/batch")
@documented(body=ScanBatch, caller=api_scanner, answers={200: ScanBatchAnswer})
def post_scan_batch(caller: Actor, body: ScanBatch):
    """Record many scans, each on its own (the phone's offline queue)."""
    session = get_session()
    results = []
    for scan in body.scans:
        status, answer = _batch_scan(session, caller, scan)
        key = scan.get("idempotency_key") if isinstance(scan, dict) else None
        results.append({"idempotency_key": key, "status": status, "body": answer})
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


@bp.post("/events/<int:event_id>/undo")
@documented(body=Undo, caller=api_actor, answers={201: UndoAnswer, 200: UndoAnswer},
            refusals=(403, 404, 409, 422, 429))
def post_undo(event_id: int, caller: User, body: Undo):
    """Undo an item's latest event, once per idempotency key.

    The item goes back to the state and holder it had before the event; a lend's
    deposit is given back, a return's refund taken again. By the organisation that
    recorded the event within `UNDO_MINUTES` (default 15) of recording it, or by an
    admin coordinator at any time; a later event, or too late: 409.
    """
    session = get_session()

    def undo() -> dict:
        return undo_event(session, caller, event_id, reason=body.reason,
                          idempotency_key=body.idempotency_key,
                          undo_minutes=current_app.config["UNDO_MINUTES"]).body(session)

    status, answer = submit_once(session, caller, f"undo:{body.idempotency_key}", undo)
    commit_session()
    return jsonify(answer), status


@bp.post("/items/<code>/relabel")
@documented(body=Relabel, caller=api_actor, answers={201: RelabelAnswer},
            refusals=(403, 404, 409, 422, 429))
def post_relabel(code: str, caller: User, body: Relabel):
    """Replace a damaged label: the object takes a new code and keeps its history and
    cycles. Afterwards the old code reads as the object (under its new code), and a
    scan of the old code is refused (409) naming the new one. Washing sites and the
    coordination."""
    done = relabel_item(get_session(), caller, code, new_code=body.new_code)
    commit_session()
    return jsonify(done.body), 201


@bp.post("/containers")
@documented(body=NewContainers, caller=api_actor, answers={201: NewContainersAnswer})
def post_containers(caller: User, body: NewContainers):
    """Commission new labelled containers, clean."""
    session = get_session()
    boxes = commission_containers(session, actor=caller, type_code=body.type,
                                  count=body.count or 1, holder_code=body.holder)
    session.commit()
    return jsonify({"codes": [b.code for b in boxes], "crate": None}), 201


@bp.post("/crates")
@documented(body=NewCrate, caller=api_actor, answers={201: NewCrateAnswer})
def post_crate(caller: User, body: NewCrate):
    """Commission a crate carrying a counted quantity of one type."""
    session = get_session()
    crate = create_crate(session, actor=caller, type_code=body.type, quantity=body.quantity,
                         holder_code=body.holder, state=body.state or "clean")
    session.commit()
    return jsonify({"code": crate.code, "quantity": crate.quantity, "state": crate.state,
                    "type": crate.type.code, "holder": crate.holder.code}), 201


@bp.get("/stock")
@documented(query=StockQuery, caller=api_actor, answers={200: StockAnswer})
def get_stock(caller: User, query: StockQuery):
    """Counts by holder, type and state (containers plus crate quantities)."""
    session = get_session()
    type_id = get_type(session, query.type).id if query.type else None
    holder_id, scope = readable_org(get_session(), caller, query.holder)
    return jsonify({"rows": stock_rows(session, holder_id=holder_id, type_id=type_id,
                                       state=query.state or None, scope=scope)})


@bp.get("/deposits")
@documented(query=DepositsQuery, caller=api_actor, answers={200: DepositsAnswer})
def get_deposits(caller: User, query: DepositsQuery):
    """Deposits taken, refunded and held per organisation, with settlements."""
    session = get_session()
    org_id, scope = readable_org(get_session(), caller, query.org)
    month = query.month or None
    return jsonify({
        "rows": deposit_service.deposit_rows(session, org_id=org_id, month=month, scope=scope),
        "settlements": deposit_service.settlements(session, org_id=org_id, month=month,
                                                   scope=scope, gross=True),
    })
