"""The collector's run: places to visit, pick up (collect), deliver to the washing site."""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.database import get_session
from ..i18n import translate
from ..models import IdempotentResponse, utcnow
from ..services.errors import BouteillesError
from ..services.movements import submit_scan
from ..services.pages import collector as service
from ..services.paging import page_number
from .formatting import register_filters
from .guard import guard_blueprint

bp = Blueprint("collector", __name__, url_prefix="/collector")
register_filters(bp)
guard_blueprint(bp, "collection_run")
RUN_ACTIONS = ("collect", "deliver")


def _render_run(*, form: dict | None = None, error: str | None = None, status: int = 200):
    db = get_session()
    result = None
    key = request.args.get("result", "")[:100]
    if key and error is None:
        stored = db.get(IdempotentResponse, key)
        if stored is not None and stored.org_id == current_user.org_id:
            result = stored.body
    delivered = request.args.get("delivered", type=int) if error is None else None
    return render_template(
        "collector/run.html",
        places=service.waiting_places(db, page=page_number(request.args.get("places"))),
        held=service.held(db, current_user.org_id, page=page_number(request.args.get("page"))),
        held_counts=service.held_counts(db, current_user.org_id),
        sites=service.washing_sites(db), form=form or {}, error=error, result=result,
        delivered=delivered, key=str(uuid.uuid4()), now=utcnow(),
    ), status


@bp.get("/")
def run():
    """The collection run page."""
    return _render_run()


@bp.post("/scan")
def scan():
    """Pick up (collect) or deliver one container or crate by its code."""
    db = get_session()
    form = request.form.to_dict()
    action = form.get("action", "")
    code = form.get("code", "").strip()[:200]
    key = form.get("key", "").strip()[:100] or str(uuid.uuid4())
    if action not in RUN_ACTIONS:
        return _render_run(form=form, error=translate("Action inconnue."), status=422)
    if not code:
        return _render_run(form=form, error=translate("Tapez ou collez un code."), status=422)
    data = {"idempotency_key": key, "code": code, "action": action}
    if action == "deliver":
        data["to"] = form.get("to") or None
    try:
        _status, body = submit_scan(db, current_user, data)
    except BouteillesError as exc:
        db.rollback()
        return _render_run(form=form, error=translate(exc.template, **exc.params), status=422)
    db.commit()
    if "event" not in body:
        return _render_run(form=form, error=body["error"]["message"], status=422)
    return redirect(url_for(".run", result=key))


@bp.post("/deliver-all")
def deliver_all():
    """Deliver everything held to the chosen washing site."""
    db = get_session()
    form = request.form.to_dict()
    try:
        count = service.deliver_all(db, actor=current_user, to=form.get("to", ""))
    except BouteillesError as exc:
        db.rollback()
        return _render_run(form=form, error=translate(exc.template, **exc.params), status=422)
    db.commit()
    return redirect(url_for(".run", delivered=count))
