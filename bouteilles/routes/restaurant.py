"""Restaurant pages (Ju'Ramène Ta Boîte): boxes, the counter, the day's cash, settlements."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.database import get_session
from ..i18n import translate
from ..models import IdempotentResponse, utcnow
from ..services import periods
from ..services.errors import BouteillesError
from ..services.items.lookup import describe_item, get_item
from ..services.lifecycle import suggested_action
from ..services.movements import submit_scan
from ..services.pages import restaurant as service
from ..services.paging import page_number
from .formatting import register_filters
from .guard import guard_blueprint

bp = Blueprint("restaurant", __name__, url_prefix="/restaurant")
register_filters(bp)
guard_blueprint(bp, "restaurant_pages")  # a restaurant's own boxes
COUNTER_ACTIONS = ("lend", "return")


def overdue_days() -> int:
    return int(current_app.config.get("OVERDUE_DAYS", 14))


@bp.get("/")
def overview():
    """Boxes on hand, out with customers, waiting for collection; today's cash."""
    db = get_session()
    org_id = current_user.org_id
    counts = service.box_counts(db, org_id, overdue_days=overdue_days())
    cash = service.day_cash(db, org_id, service.paris_today())
    return render_template("restaurant/overview.html", counts=counts,
                           total=service.totals(counts), cash=cash,
                           overdue_days=overdue_days())


@bp.get("/boxes/<state>")
def boxes(state: str):
    """One pile of boxes, paginated, with codes and dates."""
    if state not in service.BOX_STATES:
        abort(404)
    only_overdue = state == "in_use" and request.args.get("overdue") == "1"
    page = service.list_boxes(get_session(), current_user.org_id, state,
                              page=page_number(request.args.get("page")),
                              overdue_days=overdue_days(), only_overdue=only_overdue)
    return render_template("restaurant/boxes.html", state=state, page=page,
                           only_overdue=only_overdue, now=utcnow(),
                           cutoff=service.overdue_cutoff(overdue_days()),
                           overdue_days=overdue_days())


def _render_counter(*, code: str = "", error: str | None = None, status: int = 200):
    db = get_session()
    result, item, suggested = None, None, None
    key = request.args.get("result")
    if key and error is None:
        stored = db.get(IdempotentResponse, key[:100])
        if stored is not None and stored.org_id == current_user.org_id \
                and "event" in stored.body:
            result = stored.body
    if code and error is None and result is None:
        try:
            item = describe_item(db, get_item(db, code))
            suggested = suggested_action("restaurant", item["state"])
        except BouteillesError as exc:
            error = translate(exc.template, **exc.params)
            status = 200  # a link with a bad code is shown, not refused
    return render_template("restaurant/counter.html", code=code, error=error, result=result,
                           item=item, suggested=suggested, key=str(uuid.uuid4())), status


@bp.get("/counter")
def counter():
    """Lend or take back a box: type or paste a code (or come from the scanner)."""
    return _render_counter(code=request.args.get("code", "")[:200])


@bp.post("/counter")
def counter_scan():
    """Record the lend or the return; a double tap replays the same answer."""
    db = get_session()
    code = request.form.get("code", "").strip()[:200]
    action = request.form.get("action", "")
    key = request.form.get("key", "").strip()[:100] or str(uuid.uuid4())
    if action not in COUNTER_ACTIONS:
        return _render_counter(code=code, error=translate("Choisissez « Prêter » ou "
                                                          "« Reprendre »."), status=422)
    if not code:
        return _render_counter(error=translate("Tapez ou collez le code de la boîte."),
                               status=422)
    try:
        status, body = submit_scan(db, current_user, {
            "idempotency_key": key, "code": code, "action": action})
    except BouteillesError as exc:
        db.rollback()
        return _render_counter(code=code, error=translate(exc.template, **exc.params),
                               status=422)
    db.commit()
    if "event" not in body:  # a refusal, remembered with its key
        return _render_counter(code=code, error=body["error"]["message"], status=422)
    return redirect(url_for(".counter", result=key))


@bp.get("/cash")
def cash():
    """The cash summary of one day (today by default, Europe/Paris)."""
    raw = request.args.get("day", "")
    error = None
    day = service.paris_today()
    if raw:
        try:
            day = periods.parse_day(raw)
        except BouteillesError as exc:
            error = translate(exc.template, **exc.params)
    summary = service.day_cash(get_session(), current_user.org_id, day)
    return render_template("restaurant/cash.html", cash=summary, day_text=raw or day.isoformat(),
                           error=error), 422 if error else 200


@bp.get("/settlements")
def settlements():
    """Who owes whom for boxes lent at one restaurant and returned at another."""
    month = request.args.get("month", "")[:20] or service.current_month()
    try:
        rows = service.month_settlements(get_session(), current_user.org_id, month)
        error, status = None, 200
    except BouteillesError as exc:
        rows, error, status = [], translate(exc.template, **exc.params), 422
    me = current_user.org.code
    owed = sum(r.amount_cents for r in rows if r.payee_code == me)
    owing = sum(r.amount_cents for r in rows if r.payer_code == me)
    return render_template("restaurant/settlements.html", rows=rows, month=month, error=error,
                           owed=owed, owing=owing, me=me), status
