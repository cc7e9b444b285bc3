"""Logging in and out.

A login is a row the server can end (`services/members/logins.py`). Failed
passwords are counted in the database per account and per client address
(`services/members/login_limits.py`); past the limit the form answers 429 with
`Retry-After` without checking the password.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import client_address
from ..db.database import get_session
from ..forms.account import LoginForm
from ..forms.base import Form
from ..services.members import login_limits as throttle
from ..services.members.accounts import authenticate
from ..services.members.logins import end_login, open_login
from .refusals import refused_form

bp = Blueprint("auth", __name__)


def safe_path(target: str | None, default: str | None = None) -> str:
    """`target` if it is a path of this site, else `default` (the home page): no
    open redirect, to another host or a protocol-relative `//host/…`."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default or url_for("home.index")


def too_many_attempts(template: str, wait: int, form: Form, **context):
    """The 429 answer of a limited form, saying how long to wait."""
    minutes = max(1, (wait + 59) // 60)
    form.refuse(gettext("Trop de tentatives : réessayez dans %(n)s min.", n=minutes))
    response = current_app.make_response(
        (render_template(template, form=form, **context), 429))
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form."""
    form = LoginForm()
    if request.method == "GET":
        return render_template("login.html", form=form)
    if not form.validate():
        return refused_form("login.html", form)
    email = form.email.data
    db = get_session()
    limits = throttle.login_limits(email, client_address())
    if current_app.config["LOGIN_LIMITS"]:
        wait = throttle.retry_after(db, limits)
        if wait is not None:
            return too_many_attempts("login.html", wait, form)
    user = authenticate(db, email, form.password.data)
    if user is None:
        throttle.record_failure(db, limits)
        db.commit()
        return refused_form("login.html", form, gettext("E-mail ou mot de passe incorrect."),
                            status=401)
    remember = form.remember.data
    throttle.forget_failures(db, limits[0])
    if current_user.is_authenticated:  # another login in this browser: it ends here
        end_login(db, current_user.get_id())
    open_login(db, user, remember=remember, user_agent=request.user_agent.string,
               ip=client_address())
    db.commit()
    language = session.get("lang")
    session.clear()  # nothing of the anonymous visit carries over but its language
    if language:
        session["lang"] = language
    if not remember:
        session["_remember"] = "clear"  # Flask-Login drops a remember cookie left here
    login_user(user, remember=remember)
    return redirect(safe_path(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """End this device's login (its session and remember cookies stop working)."""
    db = get_session()
    end_login(db, current_user.get_id())
    db.commit()
    logout_user()
    return redirect(url_for("auth.login"))
