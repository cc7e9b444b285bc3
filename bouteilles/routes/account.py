"""A member's own account: where they are logged in, their API tokens, their password.

A user given a temporary password (invited or reset by the coordination) is
sent to the password page until they choose their own.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import bearer_token, client_address
from ..db.database import get_session
from ..i18n import translate
from ..services.errors import BouteillesError, Forbidden, ValidationError
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

bp = Blueprint("account", __name__, url_prefix="/account")
register_filters(bp)
# What answers a user with a temporary password: the password page, and leaving.
OPEN_WITH_TEMPORARY = {"account.password", "auth.logout", "auth.login", "static",
                       "home.set_language", "api.health"}


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
        raise Forbidden("Choisissez d'abord votre mot de passe (page « Mot de passe ») : "
                        "jusque-là, seul ce formulaire répond.")
    return redirect(url_for("account.password"))


@bp.get("/tokens")
@login_required
def tokens():
    """My API tokens."""
    page = service.list_tokens(get_session(), page=page_number(request.args.get("page")),
                               user_id=current_user.id)
    return render_template("account/tokens.html", page=page, form={})


@bp.post("/tokens")
@login_required
def token_new():
    """A new token of mine, shown once."""
    db = get_session()
    token, clear = service.create_token(db, current_user, request.form.get("label"))
    db.commit()
    return secret_page(201, user=current_user, token=token, clear=clear, own=True)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int):
    """Revoke one of my tokens (403 for someone else's)."""
    db = get_session()
    token = service.revoke_token_as(db, token_id, actor=current_user, own_only=True)
    db.commit()
    flash(translate("Jeton {prefix}… révoqué.", prefix=token.prefix), "success")
    return redirect(url_for("account.tokens"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Choose my password: the current one is asked every time (a stolen session
    alone cannot set a new one); the change ends every login of mine but this one."""
    db = get_session()
    temporary = service.must_change_password(db, current_user.id)
    if request.method == "GET":
        return render_template("account/password.html", temporary=temporary)
    form = request.form
    limits = throttle.password_limits(current_user.id)
    if current_app.config["LOGIN_LIMITS"]:
        wait = throttle.retry_after(db, limits)
        if wait is not None:
            return too_many_attempts("account/password.html", wait, temporary=temporary)
    try:
        if not service.check_password(current_user, form.get("current", "")[:1000]):
            throttle.record_failure(db, limits)
            db.commit()
            raise ValidationError("Mot de passe actuel incorrect.")
        service.change_password(db, current_user, new=form.get("new", "")[:1000],
                                confirm=form.get("confirm", "")[:1000])
    except BouteillesError as exc:
        db.rollback()
        return render_template("account/password.html", temporary=temporary,
                               error=translate(exc.template, **exc.params)), 422
    remember = bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME",
                                                                "remember_token")))
    user = current_user._get_current_object()
    open_login(db, user, remember=remember, user_agent=request.user_agent.string,
               ip=client_address())
    db.commit()
    login_user(user, remember=remember)
    flash(translate("Mot de passe enregistré. Vos autres connexions sont fermées."), "success")
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
    flash(translate("Connexion fermée."), "success")
    return redirect(url_for("account.sessions"))


@bp.post("/sessions/end-others")
@login_required
def sessions_end_others():
    """End every login of mine but this device's."""
    db = get_session()
    ended = end_user_logins(db, current_user.id, keep=login_id_of(db, current_user.get_id()))
    db.commit()
    flash(translate("{n} autre(s) connexion(s) fermée(s).", n=ended), "success")
    return redirect(url_for("account.sessions"))
