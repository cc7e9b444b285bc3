"""Restaurant pages (Ju'Ramène Ta Boîte): boxes, the counter, the day's cash, settlements."""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import ngettext
from flask_login import current_user

from ..db.database import get_session
from ..formatting import money
from ..forms.base import CODE_LENGTH
from ..forms.counted import CountedReturnForm
from ..forms.scans import CounterForm
from ..models import IdempotentResponse, utcnow
from ..services import movements as counted_service
from ..services import periods
from ..services.errors import BouteillesError
from ..services.items.lookup import describe_item, get_item
from ..services.lifecycle import suggested_action
from ..services.movements import submit_scan
from ..services.pages import restaurant as service
from ..services.paging import page_number
from . import settlements as settlement_pages
from . import stock_alerts
from .formatting import register_filters
from .guard import guard_blueprint
from .refusals import refused_form
from .scanner_page import counter_config, render_scanner_page, scanner_texts

bp = Blueprint("restaurant", __name__, url_prefix="/restaurant")
COUNTER_ACTIONS = ("lend", "return")
register_filters(bp)
guard_blueprint(bp, "restaurant_pages")  # a restaurant's own boxes


def overdue_days() -> int:
    return int(current_app.config.get("OVERDUE_DAYS", 14))


def _overview_context() -> dict:
    db = get_session()
    org_id = current_user.org_id
    counts = service.box_counts(db, org_id, overdue_days=overdue_days())
    cash = service.day_cash(db, org_id, periods.paris_today())
    return {"counts": counts, "total": service.totals(counts), "cash": cash,
            "overdue_days": overdue_days(), **stock_alerts.context()}


@bp.get("/")
def overview():
    """Boxes on hand, out with customers, waiting for collection; today's cash; the
    stock alerts."""
    return render_template("restaurant/overview.html", **_overview_context())


@bp.post("/stock-alerts")
def save_stock_alerts():
    """Set the minimums of clean boxes below which we are told."""
    return stock_alerts.save("restaurant/overview.html", _overview_context,
                             url_for(".overview"))


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


def _counter_page(**context) -> dict:
    """The counter component's config; for a browser without JavaScript, its plain form
    (nothing scanned yet, a new key)."""
    config = counter_config(current_user.org, COUNTER_ACTIONS, noun="box",
                            usual_deposit_cents=service.usual_deposit_cents(
                                get_session(), current_user.org.territory_id))
    return {"counter": config, "scanner_messages": scanner_texts(), "result": None,
            "item": None, "suggested": None, "key": str(uuid.uuid4()), **context}


@bp.get("/counter")
def counter():
    """Lend or take back boxes: camera, typed code and the offline queue (the counter
    component, static/scan/counter.js). `?code=` looks that box up. Without
    JavaScript, a plain form: after a scan, its answer (`?result=` its key); with
    `?code=`, the box described."""
    db = get_session()
    form = CounterForm.blank(code=request.args.get("code", "")[:CODE_LENGTH])
    result, item, suggested = None, None, None
    key = request.args.get("result")
    if key:
        stored = db.get(IdempotentResponse, key[:100])
        if stored is not None and stored.org_id == current_user.org_id \
                and "event" in stored.body:
            result = stored.body
    if form.code.data and result is None:
        try:
            item = describe_item(db, get_item(db, form.code.data))
            suggested = suggested_action("restaurant", item["state"])
        except BouteillesError as exc:
            form.refuse(exc, "code")  # a link with a bad code is shown (200), not refused
    return render_scanner_page("restaurant/counter.html", form=form, **_counter_page(
        result=result, item=item, suggested=suggested))


@bp.post("/counter")
def counter_scan():
    """Without JavaScript: record the lend or the return; a double tap replays the same
    answer."""
    form = CounterForm()
    if not form.validate():
        return refused_form("restaurant/counter.html", form, **_counter_page())
    key = form.key.data or str(uuid.uuid4())
    db = get_session()
    try:
        _status, body = submit_scan(db, current_user, {
            "idempotency_key": key, "code": form.code.data, "action": form.action.data})
    except BouteillesError as exc:
        return refused_form("restaurant/counter.html", form, exc, **_counter_page())
    db.commit()
    if "event" not in body:  # a refusal, remembered with its key
        return refused_form("restaurant/counter.html", form, body["error"]["message"],
                            **_counter_page())
    return redirect(url_for(".counter", result=key))


@bp.get("/cash")
def cash():
    """The cash summary of one day (today by default, Europe/Paris)."""
    raw = request.args.get("day", "")
    error = None
    day = periods.paris_today()
    if raw:
        try:
            day = periods.parse_day(raw)
        except BouteillesError as exc:
            error = str(exc)
    summary = service.day_cash(get_session(), current_user.org_id, day)
    return render_template("restaurant/cash.html", cash=summary, day_text=raw or day.isoformat(),
                           error=error), 422 if error else 200


@bp.get("/settlements")
def settlements():
    """Who owes whom for boxes lent at one restaurant and returned at another, netted
    per pair, with the paid state and the form marking it paid (routes/settlements.py)."""
    return settlement_pages.month_page("restaurant", request.args.get("month"))


def _counted_page(form) -> dict:
    return {"form": form, "counts": counted_service.pending_counts(get_session(),
                                                                   current_user.org_id)}


@bp.get("/counted-returns")
def counted_returns():
    """Boxes taken back by count at the rush, and which of them the chain has seen."""
    form = CountedReturnForm.for_types(service.box_types(get_session()), posted=False)
    return render_template("restaurant/counted_returns.html", **_counted_page(form))


@bp.post("/counted-returns")
def record_counted_return():
    """Record boxes taken back and refunded without a scan."""
    form = CountedReturnForm.for_types(service.box_types(get_session()), posted=True)
    if not form.validate():
        return refused_form("restaurant/counted_returns.html", form,
                            reread=lambda: _counted_page(form))
    session = get_session()
    try:
        counted = counted_service.record_counted_return(
            session, current_user, type_code=form.type.data, count=form.count.data,
            note=form.note.data)
    except BouteillesError as exc:
        return refused_form("restaurant/counted_returns.html", form, exc,
                            reread=lambda: _counted_page(form))
    session.commit()
    flash(ngettext("%(num)s boîte reprise par comptage : %(amount)s remboursés.",
                   "%(num)s boîtes reprises par comptage : %(amount)s remboursés.",
                   counted.count, amount=money(counted.count * counted.deposit_cents)),
          "success")
    return redirect(url_for("restaurant.counted_returns"))
