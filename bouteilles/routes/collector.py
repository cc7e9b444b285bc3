"""The collector's run: places to visit, pick up (collect), deliver to the washing site."""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from ..db.database import get_session
from ..forms.scans import DeliverAllForm, RunScanForm
from ..models import IdempotentResponse, utcnow
from ..services.errors import BouteillesError
from ..services.movements import submit_scan
from ..services.pages import collector as service
from ..services.paging import page_number
from ..services.pickups import pickup_list, reader_scope
from .formatting import register_filters
from .guard import guard_blueprint
from .refusals import refused_form
from .scanner_page import counter_config, render_scanner_page, scanner_texts

bp = Blueprint("collector", __name__, url_prefix="/collector")
register_filters(bp)
guard_blueprint(bp, "collection_run")
RUN_ACTIONS = ("collect", "deliver")


def _with_sites(form):
    """A form choosing a washing site to deliver to."""
    form.to.choices = [(site.code, site.name)
                       for site in service.washing_sites(get_session())]
    return form


def _run_config() -> dict:
    """The counter component on the run: collect, deliver to a washing site. What a
    washing site holds is moved by the site alone (the life cycle refuses a collect
    there): the page proposes neither action on it."""
    sites = [{"code": site.code, "name": site.name, "kind": site.kind}
             for site in service.washing_sites(get_session())]
    at_sites = [site["code"] for site in sites]
    return counter_config(current_user.org, RUN_ACTIONS, noun="item", destinations=sites,
                          not_from={action: at_sites for action in RUN_ACTIONS})


def _run_context(*, after_scan: bool = False) -> dict:
    """The run page: the counter component, places, what the truck holds; without
    JavaScript its two forms (blank), and the answer of the last scan (`?result=` its
    key) or delivery, unless refused."""
    db = get_session()
    result, delivered = None, None
    key = request.args.get("result", "")[:100]
    if key and after_scan:
        stored = db.get(IdempotentResponse, key)
        if stored is not None and stored.org_id == current_user.org_id:
            result = stored.body
    if after_scan:
        delivered = request.args.get("delivered", type=int)
    return {
        "pickups": pickup_list(db, reader_scope(current_user), only_open=True),
        "places": service.waiting_places(db, page=page_number(request.args.get("places"))),
        "held": service.held(db, current_user.org_id,
                             page=page_number(request.args.get("page"))),
        "held_counts": service.held_counts(db, current_user.org_id),
        "form": _with_sites(RunScanForm.blank()), "all_form": _with_sites(DeliverAllForm.blank()),
        "result": result, "delivered": delivered, "key": str(uuid.uuid4()), "now": utcnow(),
        "counter": _run_config(), "scanner_messages": scanner_texts(),
    }


@bp.get("/")
def run():
    """The collection run page."""
    return render_scanner_page("collector/run.html", **_run_context(after_scan=True))


@bp.post("/scan")
def scan():
    """Without JavaScript: pick up (collect) or deliver one container or crate by its code."""
    form = _with_sites(RunScanForm())
    if not form.validate():
        return refused_form("collector/run.html", form, reread=_run_context)
    key = form.key.data or str(uuid.uuid4())
    data = {"idempotency_key": key, "code": form.code.data, "action": form.action.data}
    if form.action.data == "deliver":
        data["to"] = form.to.data or None
    db = get_session()
    try:
        _status, body = submit_scan(db, current_user, data)
    except BouteillesError as exc:
        return refused_form("collector/run.html", form, exc, reread=_run_context)
    db.commit()
    if "event" not in body:
        return refused_form("collector/run.html", form, body["error"]["message"],
                            reread=_run_context)
    return redirect(url_for(".run", result=key))


@bp.post("/deliver-all")
def deliver_all():
    """Deliver everything held to the chosen washing site."""
    form = _with_sites(DeliverAllForm())
    if not form.validate():
        return refused_form("collector/run.html", form, form_name="all_form", reread=_run_context)
    db = get_session()
    try:
        count = service.deliver_all(db, actor=current_user, to=form.to.data)
    except BouteillesError as exc:
        return refused_form("collector/run.html", form, exc, form_name="all_form",
                            reread=_run_context)
    db.commit()
    return redirect(url_for(".run", delivered=count))
