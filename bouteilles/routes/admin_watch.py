"""Coordinator pages: the dashboard, the anomalies to look at, the audit of the log,
an object's page. A territory's coordination sees its territory's (routes/scoping.py);
another territory's member or object: 403."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..db.database import get_session
from ..forms.corrections import RelabelForm, UndoForm
from ..forms.ownership import TransferForm, with_owners
from ..models import ACTIONS, Container, Crate, Event, Organisation
from ..services.errors import BouteillesError, Forbidden
from ..services.items.lookup import get_item, get_org, recent_events, require_item
from ..services.items.ownership import possible_owners
from ..services.movements import overdue_counted_returns, relabel_item, undo_event
from ..services.oversight import watch as oversight
from ..services.paging import page_number
from ..services.pickups import pickup_list
from .admin import guard_coordination
from .formatting import register_filters
from .refusals import refused_form
from .scoping import current_scope

bp = Blueprint("admin_watch", __name__, url_prefix="/admin")
guard_coordination(bp)
register_filters(bp)


def overdue_days() -> int:
    return int(current_app.config.get("OVERDUE_DAYS", 14))


def _orgs():
    """The members the filters offer: the territory's."""
    return get_session().execute(
        select(Organisation.code, Organisation.name).where(current_scope().members())
        .order_by(Organisation.name)).all()


def _member_id(code: str) -> int | None:
    """The member a filter names (another territory's: 403), or None."""
    if not code:
        return None
    org = get_org(get_session(), code)
    current_scope().require(org)
    return org.id


def _filters(args) -> tuple[oversight.EventFilter, dict]:
    """Filters from the query string; the raw values are kept to refill the form."""
    raw = {name: (args.get(name) or "").strip()[:100]
           for name in ("code", "org", "action", "anomaly", "from", "to", "view")}
    filters = oversight.EventFilter(
        code=raw["code"], action=raw["action"], anomaly=raw["anomaly"],
        org_id=_member_id(raw["org"]),
        date_from=oversight.parse_day(raw["from"]), date_to=oversight.parse_day(raw["to"]),
        scope=current_scope(),
    )
    return filters, raw


@bp.get("/")
def dashboard():
    """Counts of what needs looking at, and the way to each coordinator page."""
    counts = oversight.anomaly_counts(get_session(), overdue_days=overdue_days(),
                                      scope=current_scope())
    waiting = pickup_list(get_session(), current_scope(), only_open=True, limit=20)
    return render_template("admin/dashboard.html", counts=counts, pickups=waiting)


@bp.get("/anomalies")
def anomalies():
    """One of the anomaly lists, filtered and paginated."""
    view = request.args.get("view", "events")
    view = view if view in oversight.ANOMALY_VIEWS else "events"
    db = get_session()
    page_no = page_number(request.args.get("page"))
    context = {"view": view, "views": oversight.ANOMALY_VIEWS, "orgs": _orgs(),
               "actions": ACTIONS, "anomaly_codes": oversight.ANOMALY_CODES}
    try:
        filters, raw = _filters(request.args)
        if view == "events":
            page = oversight.anomaly_events(db, filters, page=page_no)
        elif view == "recounts":
            page = oversight.recount_events(db, filters, page=page_no)
        elif view == "counted":
            page = overdue_counted_returns(db, overdue_days=overdue_days(), page=page_no,
                                           org_id=filters.org_id, **_counted_scope())
        elif view == "overdue":
            page = oversight.overdue_boxes(db, overdue_days=overdue_days(), page=page_no,
                                           holder_id=filters.org_id, scope=filters.scope)
        else:
            page = oversight.undelivered(db, page=page_no, holder_id=filters.org_id,
                                         scope=filters.scope)
    except Forbidden:
        raise  # another territory's member: refused, not a filter to correct
    except BouteillesError as exc:
        return render_template("admin/anomalies.html", page=None, form=request.args,
                               error=str(exc), **context), 422
    return render_template("admin/anomalies.html", page=page, form=raw,
                           overdue_days=overdue_days(), **context)


def _counted_scope() -> dict:
    """The territory of the counted returns' list (the national list takes none)."""
    scope = current_scope()
    return {} if scope.whole else {"scope": scope}


@bp.get("/audit")
def audit():
    """The event log filtered by object code, member, action and dates."""
    context = {"orgs": _orgs(), "actions": ACTIONS}
    try:
        filters, raw = _filters(request.args)
        page = oversight.audit_events(get_session(), filters,
                                      page=page_number(request.args.get("page")))
    except Forbidden:
        raise  # another territory's member: refused, not a filter to correct
    except BouteillesError as exc:
        return render_template("admin/audit.html", page=None, form=request.args,
                               error=str(exc), **context), 422
    return render_template("admin/audit.html", page=page, form=raw, **context)


def _item_context(code: str, **forms) -> dict:
    """The item's page: what it is, its latest events, the correction forms."""
    db = get_session()
    item = get_item(db, code)
    require_item(current_scope(), item)
    return {"item": item, "events": recent_events(db, item), "looked_up": code,
            "undo_form": forms.get("undo_form") or UndoForm.blank(),
            "relabel_form": forms.get("relabel_form") or RelabelForm.blank(),
            "transfer_form": with_owners(forms.get("transfer_form") or TransferForm.blank(),
                                         possible_owners(db, current_scope()))}


@bp.get("/items/<code>")
def item(code: str):
    """One object: its state, holder and latest events; an admin reverts the latest
    event with a reason, a damaged label is replaced here."""
    return render_template("admin/item.html", **_item_context(code))


def _require_event_item(code: str, event_id: int) -> None:
    """Refuse (403) the undo of an object another territory has in hand, by its
    page's code or by the event's own object."""
    db = get_session()
    scope = current_scope()
    require_item(scope, get_item(db, code))
    event = db.get(Event, event_id)
    if event is None or scope.whole:
        return
    item = (db.get(Container, event.container_id) if event.container_id is not None
            else db.get(Crate, event.crate_id) if event.crate_id is not None else None)
    if item is not None:
        require_item(scope, item)


@bp.post("/items/<code>/undo")
def undo_latest(code: str):
    """Revert the item's latest event (a correction of the record, with its reason)."""
    form = UndoForm()
    db = get_session()
    event_id = request.form.get("event_id", type=int) or 0
    _require_event_item(code, event_id)
    if not form.validate():
        return refused_form("admin/item.html", form, form_name="undo_form",
                            reread=lambda: _item_context(code, undo_form=form))
    try:
        undo_event(db, current_user, event_id, reason=form.reason.data,
                   undo_minutes=current_app.config["UNDO_MINUTES"])
    except BouteillesError as exc:
        return refused_form("admin/item.html", form, exc, form_name="undo_form",
                            reread=lambda: _item_context(code, undo_form=form))
    db.commit()
    flash(gettext("Mouvement annulé : l'objet est revenu à son état d'avant."), "success")
    return redirect(url_for("admin_watch.item", code=code))


@bp.post("/items/<code>/relabel")
def relabel(code: str):
    """Give the object a new label; it keeps its history."""
    form = RelabelForm()
    db = get_session()
    require_item(current_scope(), get_item(db, code))
    if not form.validate():
        return refused_form("admin/item.html", form, form_name="relabel_form",
                            reread=lambda: _item_context(code, relabel_form=form))
    try:
        done = relabel_item(db, current_user, code, new_code=form.new_code.data or None)
    except BouteillesError as exc:
        return refused_form("admin/item.html", form, exc, form_name="relabel_form",
                            reread=lambda: _item_context(code, relabel_form=form))
    db.commit()
    flash(gettext("Nouvelle étiquette : %(code)s (remplace %(old)s).", code=done.code,
                  old=done.replaces), "success")
    return redirect(url_for("admin_watch.item", code=done.code))
