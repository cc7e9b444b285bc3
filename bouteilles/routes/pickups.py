"""A member's pickup requests ("bac plein"): ask for a collection, withdraw it.

The form is on the restaurant's page and on the home page of a collection point
(`pickups/_block.html`); this page shows it again when it is refused, with the
member's recent requests.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..db.database import get_session
from ..forms.pickups import PickupForm
from ..models import PickupRequest
from ..services import pickups
from .guard import guard_blueprint
from .refusals import refused_form

bp = Blueprint("pickups", __name__, url_prefix="/pickups")
guard_blueprint(bp, "request_pickup")


@bp.app_template_global()
def open_pickup() -> PickupRequest | None:
    """The logged-in member's open pickup request (for `pickups/_block.html`)."""
    return pickups.open_request(get_session(), current_user.org_id)


def _home() -> str:
    """Where the member's form lives: the restaurant's page, else the home page."""
    return url_for("restaurant.overview" if current_user.org.kind == "restaurant"
                   else "home.index")


def _context() -> dict:
    db = get_session()
    recent = db.scalars(select(PickupRequest).where(PickupRequest.org_id == current_user.org_id)
                        .order_by(PickupRequest.requested_at.desc()).limit(10))
    return {"form": PickupForm.blank(), "recent": list(recent), "back": _home()}


@bp.get("/")
def index():
    """The request form, the open request, the last ones."""
    return render_template("pickups/index.html", **_context())


@bp.post("/")
def ask():
    """Ask for a collection (while one is open: that one, with the new note)."""
    form = PickupForm()
    if not form.validate():
        return refused_form("pickups/index.html", form, reread=_context)
    db = get_session()
    asked = pickups.request_pickup(db, actor=current_user, note=form.note.data)
    db.commit()
    flash(gettext("Demande de collecte envoyée aux collecteurs.") if asked.created else
          gettext("Votre demande de collecte était déjà ouverte : elle reste en tête de la "
                  "tournée."), "success")
    return redirect(_home())


@bp.post("/<int:request_id>/cancel")
def cancel(request_id: int):
    """Withdraw our open request."""
    db = get_session()
    pickups.cancel_pickup(db, pickups.get_pickup(db, request_id), actor=current_user)
    db.commit()
    flash(gettext("Demande de collecte annulée."), "success")
    return redirect(_home())
