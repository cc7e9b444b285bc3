"""The home page: who you are and what you hold."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..db.database import get_session
from ..i18n import LOCALES
from ..services import access
from ..services.deposits import deposit_rows
from ..services.items.stock import stock_rows
from ..vocabulary import KIND_LABELS
from .auth import safe_path
from .scoping import current_scope

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """Home for the logged-in member, by role (the coordination: its territory's or
    the whole network's stock and deposits)."""
    db = get_session()
    coordinator = access.may(current_user, "oversee_network")
    holder_id = None if coordinator else current_user.org_id
    scope = current_scope()
    rows = stock_rows(db, holder_id=holder_id, scope=scope)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["state"]] = totals.get(row["state"], 0) + row["count"]
    deposits = deposit_rows(db, org_id=holder_id, scope=scope)
    held = sum(r["held_cents"] for r in deposits)
    return render_template("home.html", rows=rows, totals=totals, held_cents=held,
                           role_label=KIND_LABELS[current_user.org.kind],
                           coordinator=coordinator)


@bp.get("/lang/<locale>")
def set_language(locale: str):
    """Switch the interface language, then go back to the same page."""
    if locale in LOCALES:
        session["lang"] = locale
    back = urlsplit(request.referrer or "")
    if back.netloc != request.host:
        return redirect(url_for("home.index"))
    return redirect(safe_path(back.path))
