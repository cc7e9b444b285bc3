"""Coordinator pages: member organisations, users, API tokens, container types.

Only members of the coordinating organisation get in (403 for everyone else,
the login page for anonymous visitors); of them, only administrators
(`User.is_admin`) change anything, the others read. Secrets (temporary passwords, new
tokens) are shown once, in the answer to the POST that made them, and never
put in a URL or the session.
"""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..db.database import get_session
from ..i18n import translate
from ..models import ContainerType, Organisation
from ..services.errors import BouteillesError, ValidationError
from ..services.items.lookup import get_org, get_type
from ..services.members import management as service
from ..services.members.accounts import create_org, get_user_by_email
from ..services.paging import page_number
from ..vocabulary import FAMILIES, FAMILY_LABELS, KIND_LABELS, ORG_KINDS
from .formatting import register_filters
from .guard import guard_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
register_filters(bp)


@bp.context_processor
def labels() -> dict:
    """French names of organisation kinds and type families (translated in templates)."""
    return {"kind_label": lambda kind: KIND_LABELS.get(kind, kind),
            "family_label": lambda family: FAMILY_LABELS.get(family, family)}


# Pages whose only use is a form that creates something: the administrators'.
ADMIN_FORMS = {"admin.org_new", "admin.user_new", "admin.type_new", "factor_sets.new"}


def guard_coordination(blueprint: Blueprint) -> None:
    """Anonymous → login page; members other than the coordination → 403; every
    change (any method but GET) and the creation forms → its administrators only."""
    guard_blueprint(blueprint, "coordination_pages", changes="administer",
                    change_pages=ADMIN_FORMS)


guard_coordination(bp)


def refused(template: str, exc: BouteillesError, **context):
    """Re-render a form with what was typed and the reason it was refused (422)."""
    get_session().rollback()
    error = translate(exc.template, **exc.params)
    return render_template(template, error=error, form=request.form, **context), 422


def secret_page(status: int = 200, **context):
    """The page showing a secret once; never cached (back button, shared computer)."""
    response = make_response(render_template("admin/secret.html", **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _page() -> int:
    return page_number(request.args.get("page"))


# ------------------------------------------------------------------ organisations


@bp.get("/orgs")
def orgs():
    """Member organisations, searchable, by kind."""
    q, kind = request.args.get("q", "")[:100], request.args.get("kind", "")
    kind = kind if kind in ORG_KINDS else ""
    page = service.list_orgs(get_session(), page=_page(), q=q, kind=kind)
    return render_template("admin/orgs.html", page=page, q=q, kind=kind, kinds=ORG_KINDS)


@bp.route("/orgs/new", methods=["GET", "POST"])
def org_new():
    """Create a member organisation."""
    if request.method == "GET":
        return render_template("admin/org_form.html", org=None, form={}, kinds=ORG_KINDS)
    form = request.form
    db = get_session()
    try:
        org = create_org(db, code=form.get("code", "").strip().lower()[:64],
                         name=form.get("name", "")[:200], kind=form.get("kind", ""),
                         address=form.get("address", "").strip() or None,
                         opening_hours=form.get("opening_hours", "").strip() or None)
    except BouteillesError as exc:
        return refused("admin/org_form.html", exc, org=None, kinds=ORG_KINDS)
    db.commit()
    flash(translate("Organisation « {name} » créée.", name=org.name), "success")
    return redirect(url_for("admin.org_edit", code=org.code))


@bp.route("/orgs/<code>", methods=["GET", "POST"])
def org_edit(code: str):
    """An organisation: name, address, opening hours; its users."""
    db = get_session()
    org = get_org(db, code)
    users = service.list_users(db, page=1, org_id=org.id)
    if request.method == "GET":
        return render_template("admin/org_form.html", org=org, form=org.__dict__,
                               kinds=ORG_KINDS, users=users)
    form = request.form
    try:
        service.update_org(db, org, name=form.get("name", "")[:200],
                           address=form.get("address", "")[:2000],
                           opening_hours=form.get("opening_hours", "")[:2000])
    except BouteillesError as exc:
        return refused("admin/org_form.html", exc, org=org, kinds=ORG_KINDS, users=users)
    db.commit()
    flash(translate("Modifications enregistrées."), "success")
    return redirect(url_for("admin.org_edit", code=org.code))


@bp.post("/orgs/<code>/active")
def org_active(code: str):
    """Disable or enable an organisation."""
    db = get_session()
    org = get_org(db, code)
    service.set_org_active(db, org, request.form.get("active") == "1", actor=current_user)
    db.commit()
    flash(translate("Organisation activée.") if org.active
          else translate("Organisation désactivée."), "success")
    return redirect(url_for("admin.org_edit", code=org.code))


# ------------------------------------------------------------------ users


def _org_choices():
    return get_session().execute(
        select(Organisation.code, Organisation.name).where(Organisation.active.is_(True))
        .order_by(Organisation.name)).all()


@bp.get("/users")
def users():
    """Users, searchable."""
    q = request.args.get("q", "")[:100]
    page = service.list_users(get_session(), page=_page(), q=q)
    return render_template("admin/users.html", page=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Invite a user: an account with a temporary password shown once."""
    context = {"orgs": _org_choices()}
    if request.method == "GET":
        form = {"org": request.args.get("org", "")}
        return render_template("admin/user_form.html", form=form, **context)
    form = request.form
    db = get_session()
    try:
        org = get_org(db, form.get("org", ""))
        user, password = service.invite_user(
            db, email=form.get("email", "")[:254], org=org, name=form.get("name", "")[:200],
            admin=bool(form.get("admin")) and org.kind == "coordinator", actor=current_user)
    except BouteillesError as exc:
        return refused("admin/user_form.html", exc, **context)
    db.commit()
    return secret_page(201, user=user, password=password)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Disable or enable a user."""
    db = get_session()
    user = service.get_user(db, user_id)
    service.set_user_active(db, user, request.form.get("active") == "1", actor=current_user)
    db.commit()
    flash(translate("Compte de {email} mis à jour.", email=user.email), "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.post("/users/<int:user_id>/reset")
def user_reset(user_id: int):
    """Give a user a new temporary password, shown once."""
    db = get_session()
    user = service.get_user(db, user_id)
    password = service.reset_password(db, user, actor=current_user)
    db.commit()
    return secret_page(user=user, password=password, reset=True)


# ------------------------------------------------------------------ API tokens


@bp.get("/tokens")
def tokens():
    """Every API token: prefix, label, owner, last use, revoked or not."""
    page = service.list_tokens(get_session(), page=_page())
    return render_template("admin/tokens.html", page=page, form={})


@bp.post("/tokens")
def token_new():
    """A token for a user (shown once)."""
    db = get_session()
    try:
        user = get_user_by_email(db, request.form.get("email", "")[:254])
        token, clear = service.create_token(db, user, request.form.get("label"))
    except BouteillesError as exc:
        return refused("admin/tokens.html", exc, page=service.list_tokens(db, page=1))
    db.commit()
    return secret_page(201, user=user, token=token, clear=clear)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """Revoke any token."""
    db = get_session()
    token = service.revoke_token_as(db, token_id, actor=current_user)
    db.commit()
    flash(translate("Jeton {prefix}… révoqué.", prefix=token.prefix), "success")
    return redirect(url_for("admin.tokens"))


# ------------------------------------------------------------------ container types


def _type_values(form) -> dict:
    """The type fields from a form; numbers that do not parse are refused clearly."""
    def number(name: str, label: str, *, optional: bool = False) -> int | None:
        raw = (form.get(name) or "").strip().replace(",", ".")
        if not raw and optional:
            return None
        try:
            return int(raw) if name != "deposit_cents" else round(float(raw) * 100)
        except (ValueError, OverflowError):
            raise ValidationError("« {label} » : un nombre.", label=label) from None

    return {"name": form.get("name", "")[:200], "family": form.get("family", ""),
            "mass_g": number("mass_g", translate("Masse (g)")),
            "volume_ml": number("volume_ml", translate("Volume (ml)"), optional=True),
            "deposit_cents": number("deposit_cents", translate("Consigne (€)")),
            "active": form.get("active") == "1"}


@bp.get("/types")
def types():
    """Container types."""
    return render_template("admin/types.html", page=service.list_types(get_session(),
                                                                        page=_page()))


@bp.route("/types/new", methods=["GET", "POST"])
def type_new():
    """Create a container type."""
    if request.method == "GET":
        return render_template("admin/type_form.html", ctype=None, form={"active": "1"},
                               families=FAMILIES)
    db = get_session()
    try:
        ctype = service.create_type(db, code=request.form.get("code", "").strip()[:64],
                                    values=_type_values(request.form), actor=current_user)
    except BouteillesError as exc:
        return refused("admin/type_form.html", exc, ctype=None, families=FAMILIES)
    db.commit()
    flash(translate("Type « {code} » créé.", code=ctype.code), "success")
    return redirect(url_for("admin.type_edit", code=ctype.code))


def _type_form(ctype: ContainerType) -> dict:
    return {"name": ctype.name, "family": ctype.family, "mass_g": ctype.mass_g,
            "volume_ml": ctype.volume_ml or "", "active": "1" if ctype.active else "",
            "deposit_cents": f"{ctype.deposit_cents / 100:.2f}"}


@bp.route("/types/<code>", methods=["GET", "POST"])
def type_edit(code: str):
    """Edit a container type; every change is kept in its history."""
    db = get_session()
    ctype = get_type(db, code)
    history = service.type_history(db, ctype.id, page=_page())
    context = {"ctype": ctype, "families": FAMILIES, "history": history}
    if request.method == "GET":
        return render_template("admin/type_form.html", form=_type_form(ctype), **context)
    try:
        revision = service.update_type(db, ctype, values=_type_values(request.form),
                                       actor=current_user)
    except BouteillesError as exc:
        return refused("admin/type_form.html", exc, **context)
    db.commit()
    flash(translate("Modifications enregistrées.") if revision
          else translate("Rien n'a changé."), "success")
    return redirect(url_for("admin.type_edit", code=ctype.code))

