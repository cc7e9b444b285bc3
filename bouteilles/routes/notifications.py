"""A user's notifications: the last ones received, how often each kind comes, and the
one-click unsubscribe link every mail carries (public: the signed link is the key)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth import csrf
from ..db.database import get_session
from ..forms.notifications import settings_form
from ..models import User
from ..services.errors import NotFound
from ..services.notifications.inbox import open_notification, recent_notifications
from ..services.notifications.kinds import KINDS
from ..services.notifications.links import read_unsubscribe_token
from ..services.notifications.preferences import frequencies_of, kinds_for, set_frequency
from .formatting import register_filters
from .refusals import refused_form

bp = Blueprint("notifications", __name__)
register_filters(bp)


def _page(form, status: int = 200):
    db = get_session()
    return render_template("account/notifications.html", form=form, kinds=KINDS,
                           notifications=recent_notifications(db, current_user)), status


@bp.get("/account/notifications")
@login_required
def inbox():
    """My last notifications, and how often I get each kind."""
    db = get_session()
    kinds = kinds_for(db, current_user.org)
    return _page(settings_form(kinds, frequencies_of(db, current_user), posted=False))


@bp.post("/account/notifications")
@login_required
def save_settings():
    """Record how often I get each kind of my member's."""
    db = get_session()
    form = settings_form(kinds_for(db, current_user.org), {}, posted=True)
    if not form.validate():
        return refused_form("account/notifications.html", form, kinds=KINDS,
                            notifications=recent_notifications(db, current_user))
    for field in form:
        set_frequency(db, current_user, field.name, field.data)
    db.commit()
    flash(gettext("Réglages des notifications enregistrés."), "success")
    return redirect(url_for("notifications.inbox"))


@bp.get("/account/notifications/<int:notification_id>")
@login_required
def read(notification_id: int):
    """One of my notifications, as it was sent (someone else's: 404)."""
    db = get_session()
    notification = open_notification(db, current_user, notification_id)
    db.commit()
    return render_template("account/notification.html", notification=notification,
                           kinds=KINDS)


def _set_by_token(token: str, frequency: str):
    """Set the kind a signed link names, for its user; the page that says so.
    A forged, altered or unknown link: 404."""
    found = read_unsubscribe_token(token)
    db = get_session()
    user = db.get(User, found[0]) if found else None
    if user is None:
        raise NotFound(_l("Ce lien de désinscription n'est pas valable."))
    set_frequency(db, user, found[1], frequency)
    db.commit()
    return render_template("account/unsubscribed.html", user=user, kind=KINDS[found[1]],
                           token=token, resubscribed=frequency != "off")


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    """The link of a mail: that kind turned off, and a button to turn it back on."""
    return _set_by_token(token, "off")


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe_one_click(token: str):
    """A mail program's one-click unsubscribe (RFC 8058: the body
    `List-Unsubscribe=One-Click`, posted without a session or a CSRF token)."""
    return _set_by_token(token, "off")


@bp.post("/unsubscribe/<token>/resubscribe")
def resubscribe(token: str):
    """Changed my mind: that kind comes again, daily."""
    return _set_by_token(token, "daily")
