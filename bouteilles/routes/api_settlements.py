"""JSON API v1: settlements between members, month by month, and marking them paid."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth import api_actor
from ..db.database import get_session
from ..models import User
from ..schemas.settlements import (
    CancelMark,
    MarkPaid,
    SettlementLine,
    SettlementsAnswer,
    SettlementsQuery,
)
from ..services import access
from ..services import settlements as service
from ..services.items.lookup import readable_org
from .openapi import documented

bp = Blueprint("api_settlements", __name__, url_prefix="/api/v1/settlements")


@bp.get("")
@documented(query=SettlementsQuery, caller=api_actor, answers={200: SettlementsAnswer})
def month_settlements(caller: User, query: SettlementsQuery):
    """A month's netted settlements with their paid state: a member's own, the
    coordination's scope (or one member of it, `org`)."""
    session = get_session()
    month = query.month or service.default_month()
    org_id, scope = readable_org(session, caller, query.org)
    rows = service.month_lines(session, month, org_id=org_id, scope=scope)
    return jsonify({"month": month, "in_progress": not service.month_ended(month),
                    "rows": [line.as_json() for line in rows]})


def _require_marking(caller: User) -> None:
    """A reader of the coordination reads, does not mark."""
    if access.may(caller, "oversee_network"):
        access.require(caller, "administer")


@bp.post("/paid")
@documented(body=MarkPaid, caller=api_actor, answers={201: SettlementLine})
def mark_paid(caller: User, body: MarkPaid):
    """Mark a month's netted settlement of a pair paid (either side, or an administrator
    of a coordination that sees either side), for the amount owed now. The month must
    have ended (else 409); the day not before the month nor in the future (else 422);
    already marked, or nothing owed that way: 409."""
    _require_marking(caller)
    session = get_session()
    line = service.mark_paid(session, caller, month=body.month, payer_code=body.from_,
                             payee_code=body.to, method=body.method, paid_on=body.paid_on,
                             reference=body.reference)
    session.commit()
    return jsonify(line.as_json()), 201


@bp.post("/cancel")
@documented(body=CancelMark, caller=api_actor, answers={200: SettlementLine})
def cancel_mark(caller: User, body: CancelMark):
    """Cancel the live mark of payment (kept, cancelled); none: 409."""
    _require_marking(caller)
    session = get_session()
    line = service.cancel_mark(session, caller, month=body.month, payer_code=body.from_,
                               payee_code=body.to)
    session.commit()
    return jsonify(line.as_json())
