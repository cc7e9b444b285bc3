"""Logging in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from ..auth import limiter
from ..database import get_session
from ..i18n import translate
from ..services.accounts import authenticate

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only local redirects after login (no open redirect)."""
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    """The login form."""
    email = request.form.get("email", "")
    if request.method == "POST":
        user = authenticate(get_session(), email, request.form.get("password", ""))
        if user is not None:
            login_user(user, remember=bool(request.form.get("remember")))
            return redirect(_safe_next(request.args.get("next")))
        flash(translate("E-mail ou mot de passe incorrect."), "error")
        return render_template("login.html", email=email), 401
    return render_template("login.html", email=email)


@bp.post("/logout")
@login_required
def logout():
    """Close the session."""
    logout_user()
    return redirect(url_for("auth.login"))
