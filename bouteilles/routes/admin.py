"""Coordinator pages: member organisations, users, API tokens, container types.

Only members of the coordinating organisation get in (403 for everyone else,
the login page for anonymous visitors); of them, only administrators
(`User.is_admin`) change anything, the others read. Secrets (temporary passwords, new
tokens) are shown once, in the answer to the POST that made them, and never
put in a URL or the session.
"""

from __future__ import annotations

import base64

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..db.database import get_session
from ..forms.account import UserTokenForm
from ..forms.admin import ActiveForm, NewOrgForm, NewTypeForm, OrgForm, TypeForm, UserForm
from ..forms.issuer import ReportIssuerForm
from ..models import Organisation
from ..services.errors import BouteillesError
from ..services.impact.issuer import get_issuer, set_issuer
from ..services.items.lookup import get_org, get_type
from ..services.members import management as service
from ..services.members.accounts import create_org, get_user_by_email
from ..services.paging import page_number
from ..vocabulary import FAMILY_LABELS, KIND_LABELS, ORG_KINDS
from .formatting import register_filters
from .guard import guard_blueprint
from .refusals import refused_form

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
    form = NewOrgForm()
    if request.method == "GET":
        return render_template("admin/org_form.html", org=None, form=form)
    if not form.validate():
        return refused_form("admin/org_form.html", form, org=None)
    db = get_session()
    try:
        org = create_org(db, code=form.code.data, name=form.name.data, kind=form.kind.data,
                         address=form.address.data or None,
                         opening_hours=form.opening_hours.data or None,
                         gln=form.gln.data or None)
    except BouteillesError as exc:
        return refused_form("admin/org_form.html", form, exc, org=None)
    db.commit()
    flash(gettext("Organisation « %(name)s » créée.", name=org.name), "success")
    return redirect(url_for("admin.org_edit", code=org.code))


@bp.route("/orgs/<code>", methods=["GET", "POST"])
def org_edit(code: str):
    """An organisation: name, address, opening hours; its users."""
    db = get_session()
    org = get_org(db, code)
    users = service.list_users(db, page=1, org_id=org.id)
    if request.method == "GET":
        return render_template("admin/org_form.html", org=org, form=OrgForm(obj=org),
                               users=users)
    form = OrgForm()
    if not form.validate():
        return refused_form("admin/org_form.html", form, org=org, users=users)
    try:
        service.update_org(db, org, name=form.name.data, address=form.address.data,
                           opening_hours=form.opening_hours.data, gln=form.gln.data)
    except BouteillesError as exc:
        return refused_form("admin/org_form.html", form, exc, org=org, users=users)
    db.commit()
    flash(gettext("Modifications enregistrées."), "success")
    return redirect(url_for("admin.org_edit", code=org.code))


@bp.post("/orgs/<code>/active")
def org_active(code: str):
    """Disable or enable an organisation."""
    db = get_session()
    org = get_org(db, code)
    service.set_org_active(db, org, _switched_on(), actor=current_user)
    db.commit()
    flash(gettext("Organisation activée.") if org.active
          else gettext("Organisation désactivée."), "success")
    return redirect(url_for("admin.org_edit", code=org.code))


# ------------------------------------------------------------------ users


def _switched_on() -> bool:
    """The enable (1) or disable (0) button of an organisation or a user."""
    form = ActiveForm()
    if not form.validate():
        abort(400)
    return form.active.data == "1"


def _user_form(**data) -> UserForm:
    form = UserForm.blank(**data) if data else UserForm()
    orgs = get_session().execute(
        select(Organisation.code, Organisation.name).where(Organisation.active.is_(True))
        .order_by(Organisation.name)).all()
    form.org.choices = [("", _l("Choisir…")), *((code, name) for code, name in orgs)]
    return form


@bp.get("/users")
def users():
    """Users, searchable."""
    q = request.args.get("q", "")[:100]
    page = service.list_users(get_session(), page=_page(), q=q)
    return render_template("admin/users.html", page=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Invite a user: an account with a temporary password shown once."""
    if request.method == "GET":
        form = _user_form(org=request.args.get("org", ""))
        return render_template("admin/user_form.html", form=form)
    form = _user_form()
    if not form.validate():
        return refused_form("admin/user_form.html", form)
    db = get_session()
    try:
        org = get_org(db, form.org.data)
        user, password = service.invite_user(
            db, email=form.email.data, org=org, name=form.name.data,
            admin=form.admin.data and org.kind == "coordinator", actor=current_user)
    except BouteillesError as exc:
        return refused_form("admin/user_form.html", form, exc)
    db.commit()
    return secret_page(201, user=user, password=password)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Disable or enable a user."""
    db = get_session()
    user = service.get_user(db, user_id)
    service.set_user_active(db, user, _switched_on(), actor=current_user)
    db.commit()
    flash(gettext("Compte de %(email)s mis à jour.", email=user.email), "success")
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
    return render_template("admin/tokens.html", page=page, form=UserTokenForm())


@bp.post("/tokens")
def token_new():
    """A token for a user (shown once)."""
    db = get_session()
    form = UserTokenForm()
    if not form.validate():
        return refused_form("admin/tokens.html", form, page=service.list_tokens(db, page=1))
    try:
        user = get_user_by_email(db, form.email.data)
        token, clear = service.create_token(db, user, form.label.data)
    except BouteillesError as exc:
        return refused_form("admin/tokens.html", form, exc, field="email",
                            page=service.list_tokens(db, page=1))
    db.commit()
    return secret_page(201, user=user, token=token, clear=clear)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """Revoke any token."""
    db = get_session()
    token = service.revoke_token_as(db, token_id, actor=current_user)
    db.commit()
    flash(gettext("Jeton %(prefix)s… révoqué.", prefix=token.prefix), "success")
    return redirect(url_for("admin.tokens"))


# ------------------------------------------------------------------ container types


@bp.get("/types")
def types():
    """Container types."""
    return render_template("admin/types.html", page=service.list_types(get_session(),
                                                                        page=_page()))


@bp.route("/types/new", methods=["GET", "POST"])
def type_new():
    """Create a container type."""
    if request.method == "GET":
        form = NewTypeForm.blank(active=True, deposit_cents="0")
        return render_template("admin/type_form.html", ctype=None, form=form)
    form = NewTypeForm()
    if not form.validate():
        return refused_form("admin/type_form.html", form, ctype=None)
    db = get_session()
    try:
        ctype = service.create_type(db, code=form.code.data, values=form.values(),
                                    actor=current_user)
    except BouteillesError as exc:
        return refused_form("admin/type_form.html", form, exc, ctype=None)
    db.commit()
    flash(gettext("Type « %(code)s » créé.", code=ctype.code), "success")
    return redirect(url_for("admin.type_edit", code=ctype.code))


@bp.route("/types/<code>", methods=["GET", "POST"])
def type_edit(code: str):
    """Edit a container type; every change is kept in its history."""
    db = get_session()
    ctype = get_type(db, code)
    history = service.type_history(db, ctype.id, page=_page())
    context = {"ctype": ctype, "history": history}
    if request.method == "GET":
        return render_template("admin/type_form.html", form=TypeForm.of(ctype), **context)
    form = TypeForm()
    if not form.validate():
        return refused_form("admin/type_form.html", form, **context)
    try:
        revision = service.update_type(db, ctype, values=form.values(), actor=current_user)
    except BouteillesError as exc:
        return refused_form("admin/type_form.html", form, exc, **context)
    db.commit()
    flash(gettext("Modifications enregistrées.") if revision
          else gettext("Rien n'a changé."), "success")
    return redirect(url_for("admin.type_edit", code=ctype.code))



# ------------------------------------------------------------------ report issuer


def _logo_src(issuer) -> str | None:
    """The logo as a data: URL for the page (the CSP allows data: images)."""
    if issuer is None or not issuer.logo:
        return None
    return f"data:image/{issuer.logo_type};base64,{base64.b64encode(issuer.logo).decode()}"


@bp.route("/report-issuer", methods=["GET", "POST"])
def report_issuer():
    """Who issues the monthly impact report: name, address, SIRET, logo."""
    db = get_session()
    issuer = get_issuer(db)
    if request.method == "GET":
        form = ReportIssuerForm.blank(name=issuer.name if issuer else "",
                                      address=issuer.address if issuer else "",
                                      siret=issuer.siret if issuer else "")
        return render_template("admin/report_issuer.html", form=form, issuer=issuer,
                               logo_src=_logo_src(issuer))
    form = ReportIssuerForm()
    if not form.validate():
        return refused_form("admin/report_issuer.html", form, issuer=issuer,
                            logo_src=_logo_src(issuer))
    try:
        set_issuer(db, name=form.name.data, address=form.address.data,
                   siret=form.siret.data, logo=form.logo_bytes(),
                   remove_logo=bool(form.remove_logo.data), actor=current_user)
    except BouteillesError as exc:
        return refused_form("admin/report_issuer.html", form, exc, issuer=issuer,
                            logo_src=_logo_src(issuer), field=getattr(exc, "field", None))
    db.commit()
    flash(gettext("Émetteur des rapports enregistré."), "success")
    return redirect(url_for("admin.report_issuer"))
