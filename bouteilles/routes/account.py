"""A member's own account: where they are logged in, their API tokens, their password.

A user given a temporary password (invited or reset by the coordination) is
sent to the password page until they choose their own.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import bearer_token, client_address
from ..db.database import get_session
from ..forms.account import PasswordForm, TokenForm
from ..services.errors import BouteillesError, Forbidden
from ..services.members import login_limits as throttle
from ..services.members import management as service
from ..services.members.logins import (
    active_logins,
    device_name,
    end_login_of_user,
    end_user_logins,
    login_id_of,
    open_login,
)
from ..services.paging import page_number
from .admin import secret_page
from .auth import too_many_attempts
from .formatting import register_filters
from .refusals import refused_form

bp = Blueprint("account", __name__, url_prefix="/account")
register_filters(bp)
# What answers a user with a temporary password: the password page, and leaving.
OPEN_WITH_TEMPORARY = {"account.password", "auth.logout", "auth.login", "static",
                       "home.set_language", "api.health",
                       # a mail's unsubscribe link works whoever is logged in
                       "notifications.unsubscribe", "notifications.unsubscribe_one_click",
                       "notifications.resubscribe"}


@bp.before_app_request
def temporary_password_first():
    """Until a temporary password is replaced, only the password page answers: pages
    send there, the API (used through the session) answers 403. An API token is a
    credential of its own and is not concerned."""
    if request.endpoint in OPEN_WITH_TEMPORARY:
        return None
    api = request.path.startswith("/api/")
    if (api and bearer_token() is not None) or not current_user.is_authenticated:
        return None
    if not service.must_change_password(get_session(), current_user.id):
        return None
    if api:
        raise Forbidden(_l("Choisissez d'abord votre mot de passe (page « Mot de passe ») : "
                           "jusque-là, seul ce formulaire répond."))
    return redirect(url_for("account.password"))


@bp.get("/tokens")
@login_required
def tokens():
    """My API tokens."""
    page = service.list_tokens(get_session(), page=page_number(request.args.get("page")),
                               user_id=current_user.id)
    return render_template("account/tokens.html", page=page, form=TokenForm())


@bp.post("/tokens")
@login_required
def token_new():
    """A new token of mine, shown once."""
    db = get_session()
    form = TokenForm()
    if not form.validate():
        return refused_form("account/tokens.html", form, page=service.list_tokens(
            db, page=1, user_id=current_user.id))
    token, clear = service.create_token(db, current_user, form.label.data)
    db.commit()
    return secret_page(201, user=current_user, token=token, clear=clear, own=True)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int):
    """Revoke one of my tokens (403 for someone else's)."""
    db = get_session()
    token = service.revoke_token_as(db, token_id, actor=current_user, own_only=True)
    db.commit()
    flash(gettext("Jeton %(prefix)s… révoqué.", prefix=token.prefix), "success")
    return redirect(url_for("account.tokens"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Choose my password: the current one is asked every time (a stolen session
    alone cannot set a new one); the change ends every login of mine but this one."""
    db = get_session()
    temporary = service.must_change_password(db, current_user.id)
    form = PasswordForm()
    if request.method == "GET":
        return render_template("account/password.html", form=form, temporary=temporary)
    limits = throttle.password_limits(current_user.id)
    if current_app.config["LOGIN_LIMITS"]:
        wait = throttle.retry_after(db, limits)
        if wait is not None:
            return too_many_attempts("account/password.html", wait, form, temporary=temporary)
    if not form.validate():
        return refused_form("account/password.html", form, temporary=temporary)
    if not service.check_password(current_user, form.current.data):
        throttle.record_failure(db, limits)
        db.commit()
        return refused_form("account/password.html", form,
                            gettext("Mot de passe actuel incorrect."), field="current",
                            temporary=temporary)
    try:
        service.change_password(db, current_user, new=form.new.data, confirm=form.confirm.data)
    except BouteillesError as exc:
        return refused_form("account/password.html", form, exc, field="new",
                            temporary=temporary)
    remember = bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME",
                                                                "remember_token")))
    user = current_user._get_current_object()
    open_login(db, user, remember=remember, user_agent=request.user_agent.string,
               ip=client_address())
    db.commit()
    login_user(user, remember=remember)
    flash(gettext("Mot de passe enregistré. Vos autres connexions sont fermées."), "success")
    return redirect(url_for("home.index"))


@bp.get("/")
@login_required
def sessions():
    """My account: where I am logged in (device, last seen), each one can be ended."""
    db = get_session()
    return render_template("account/sessions.html",
                           logins=active_logins(db, current_user.id),
                           this_login=login_id_of(db, current_user.get_id()),
                           device_name=device_name)


@bp.post("/sessions/<int:login_id>/end")
@login_required
def session_end(login_id: int):
    """End one of my logins (ending this device's logs me out here)."""
    db = get_session()
    this_device = login_id == login_id_of(db, current_user.get_id())
    end_login_of_user(db, current_user.id, login_id)
    db.commit()
    if this_device:
        logout_user()
        return redirect(url_for("auth.login"))
    flash(gettext("Connexion fermée."), "success")
    return redirect(url_for("account.sessions"))


@bp.post("/sessions/end-others")
@login_required
def sessions_end_others():
    """End every login of mine but this device's."""
    db = get_session()
    ended = end_user_logins(db, current_user.id, keep=login_id_of(db, current_user.get_id()))
    db.commit()
    flash(ngettext("%(num)s autre connexion fermée.", "%(num)s autres connexions fermées.",
                   ended), "success")
    return redirect(url_for("account.sessions"))
