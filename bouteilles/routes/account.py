"""A member's own account: their API tokens and their password.

A user given a temporary password (invited or reset by the coordination) is
sent to the password page until they choose their own.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..database import get_session
from ..i18n import translate
from ..services import admin as service
from ..services.errors import BouteillesError, ValidationError
from ..services.paging import page_number
from .admin import secret_page
from .formatting import register_filters

bp = Blueprint("account", __name__, url_prefix="/account")
register_filters(bp)
# Pages reachable with a temporary password (everything else sends to the password page).
OPEN_WITH_TEMPORARY = {"account.password", "auth.logout", "auth.login", "static",
                       "home.set_language"}


@bp.before_app_request
def temporary_password_first():
    """Send a user with a temporary password to the password page (web pages only)."""
    if (request.path.startswith("/api/") or request.endpoint in OPEN_WITH_TEMPORARY
            or not current_user.is_authenticated):
        return None
    if service.must_change_password(get_session(), current_user.id):
        return redirect(url_for("account.password"))
    return None


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
    """Choose my password (required after a temporary one)."""
    db = get_session()
    temporary = service.must_change_password(db, current_user.id)
    if request.method == "GET":
        return render_template("account/password.html", temporary=temporary)
    form = request.form
    try:
        if not temporary and not service.check_password(current_user, form.get("current", "")):
            raise ValidationError("Mot de passe actuel incorrect.")
        service.change_password(db, current_user, new=form.get("new", "")[:200],
                                confirm=form.get("confirm", "")[:200])
    except BouteillesError as exc:
        db.rollback()
        return render_template("account/password.html", temporary=temporary,
                               error=translate(exc.template, **exc.params)), 422
    db.commit()
    flash(translate("Mot de passe enregistré."), "success")
    return redirect(url_for("home.index"))
