"""Coordinator pages: member organisations, users, API tokens, container types,
territories.

Only members of the coordinating organisation get in (403 for everyone else,
the login page for anonymous visitors); of them, only administrators
(`User.is_admin`) change anything, the others read. A coordination with a
territory reads and manages its territory's members, their users and tokens
(another territory's: 403); what the whole network shares (container types,
factor sets, the report's issuer, territories) only the national coordination's
administrators change (routes/scoping.py). Secrets (temporary passwords, new
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
from ..forms.admin import (
    ActiveForm,
    NewOrgForm,
    NewTypeForm,
    OrgForm,
    TerritoryDepositForm,
    TerritoryForm,
    TypeForm,
    UserForm,
)
from ..forms.issuer import ReportIssuerForm
from ..models import Organisation
from ..services import bottle_models, territories
from ..services.errors import BouteillesError, Forbidden
from ..services.geography.coordinates import checked_coordinates, set_coordinates
from ..services.geography.geocoder import locate_address
from ..services.geography.settings import geo_settings
from ..services.impact.issuer import get_issuer, set_issuer
from ..services.items.lookup import get_org, get_type
from ..services.members import management as service
from ..services.members.accounts import create_org, get_user_by_email
from ..services.movements import join_territory
from ..services.paging import page_number
from ..vocabulary import FAMILY_LABELS, KIND_LABELS, ORG_KINDS
from .formatting import register_filters
from .guard import guard_blueprint
from .refusals import refused_form
from .scoping import current_scope, national_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")
register_filters(bp)


@bp.context_processor
def labels() -> dict:
    """French names of organisation kinds and type families (translated in templates)."""
    return {"kind_label": lambda kind: KIND_LABELS.get(kind, kind),
            "family_label": lambda family: FAMILY_LABELS.get(family, family)}


# Pages whose only use is a form that creates something: the administrators'.
ADMIN_FORMS = {"admin.org_new", "admin.user_new", "admin.type_new", "factor_sets.new"}
# What the whole network shares: a territory's coordination reads it (the pages
# of NATIONAL_PAGES not even that), only the national one changes it.
NATIONAL_CHANGES = {"admin.type_new", "admin.type_edit", "admin.report_issuer",
                    "factor_sets.new", "factor_sets.show"}
NATIONAL_PAGES = {"admin.territories_page"}


def _national_only() -> None:
    """Refuse a territory's coordination what only the national one does."""
    endpoint = request.endpoint
    changing = request.method not in ("GET", "HEAD") or endpoint in ADMIN_FORMS
    if (endpoint in NATIONAL_PAGES or (changing and endpoint in NATIONAL_CHANGES)) \
            and not current_scope().whole:
        raise Forbidden(_l("Réservé à la coordination nationale : celle d'un territoire "
                           "consulte ces réglages communs au réseau."))


def guard_coordination(blueprint: Blueprint) -> None:
    """Anonymous → login page; members other than the coordination → 403; every
    change (any method but GET) and the creation forms → its administrators only;
    what the network shares → the national coordination only."""
    guard_blueprint(blueprint, "coordination_pages", changes="administer",
                    change_pages=ADMIN_FORMS)
    blueprint.before_request(_national_only)


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
    """Member organisations (the territory's), searchable, by kind; the national
    coordination also by territory (`?territory=<code>`)."""
    q, kind = request.args.get("q", "")[:100], request.args.get("kind", "")
    kind = kind if kind in ORG_KINDS else ""
    db = get_session()
    code = request.args.get("territory", "")[:100]
    scope = territories.scope_for_code(db, current_scope(), code)
    page = service.list_orgs(db, page=_page(), q=q, kind=kind, scope=scope)
    return render_template("admin/orgs.html", page=page, q=q, kind=kind, kinds=ORG_KINDS,
                           territory=code if not scope.whole else "",
                           territories=territories.all_territories(db)
                           if current_scope().whole else [])


def _territory_choices(form: OrgForm) -> OrgForm:
    """The territory select, for the national administration (no other sees it)."""
    return form.with_territories(territories.all_territories(get_session()))


def _chosen_territory(form: OrgForm, org: Organisation | None):
    """The territory the form puts the member in: the one chosen by the national
    administration (a form without the select keeps the member's); a territory's
    coordination's own (a new member) or the one it has (an edited member)."""
    if national_admin() and "territory" in request.form:
        code = form.territory.data
        return territories.get_territory(get_session(), code) if code else None
    if org is not None:
        return org.territory
    scope = current_scope()
    return None if scope.whole else territories.get_territory(get_session(),
                                                              scope.territory_code)


def _field_of(form: OrgForm, exc: BouteillesError) -> str | None:
    """The form's field a refusal names (a coordinate), if it names one."""
    name = getattr(exc, "field", None)
    return name if name in form else None


def _located(form: OrgForm, **context):
    """« Trouver depuis l'adresse »: the form again, as typed, with the coordinates the
    address service found (nothing saved; the administrator checks, then saves), or
    the reason it found none next to the address."""
    try:
        place = locate_address(geo_settings(), form.address.data)
    except BouteillesError as exc:
        return refused_form("admin/org_form.html", form, exc, field="address", **context)
    for field, value in ((form.latitude, place.latitude), (form.longitude, place.longitude)):
        field.data, field.raw_data = value, [f"{value:.6f}"]
    return render_template("admin/org_form.html", form=form, found=place, **context)


@bp.route("/orgs/new", methods=["GET", "POST"])
def org_new():
    """Create a member organisation (a territory's coordination: in its territory)."""
    form = _territory_choices(NewOrgForm())
    if request.method == "GET":
        return render_template("admin/org_form.html", org=None, form=form)
    if "geocode" in request.form:
        return _located(form, org=None)
    if not form.validate():
        return refused_form("admin/org_form.html", form, org=None)
    db = get_session()
    try:
        territory = _chosen_territory(form, None)
        latitude, longitude = checked_coordinates(form.latitude.data, form.longitude.data)
        org = create_org(db, code=form.code.data, name=form.name.data, kind=form.kind.data,
                         address=form.address.data or None,
                         opening_hours=form.opening_hours.data or None,
                         gln=form.gln.data or None,
                         territory_id=territory.id if territory else None,
                         latitude=latitude, longitude=longitude)
    except BouteillesError as exc:
        return refused_form("admin/org_form.html", form, exc, org=None,
                            field=_field_of(form, exc))
    db.commit()
    flash(gettext("Organisation « %(name)s » créée.", name=org.name), "success")
    return redirect(url_for("admin.org_edit", code=org.code))


@bp.route("/orgs/<code>", methods=["GET", "POST"])
def org_edit(code: str):
    """An organisation: name, address, opening hours, territory; its users."""
    db = get_session()
    org = get_org(db, code)
    current_scope().require(org)
    users = service.list_users(db, page=1, org_id=org.id)
    if request.method == "GET":
        form = _territory_choices(OrgForm(obj=org))
        form.territory.data = org.territory.code if org.territory else ""
        return render_template("admin/org_form.html", org=org, form=form, users=users)
    form = _territory_choices(OrgForm())
    if "geocode" in request.form:
        return _located(form, org=org, users=users)
    if not form.validate():
        return refused_form("admin/org_form.html", form, org=org, users=users)
    try:
        service.update_org(db, org, name=form.name.data, address=form.address.data,
                           opening_hours=form.opening_hours.data, gln=form.gln.data)
        set_coordinates(db, org, form.latitude.data, form.longitude.data)
        territory = _chosen_territory(form, org)
        if territory is not org.territory:
            join_territory(db, territory, org)
    except BouteillesError as exc:
        return refused_form("admin/org_form.html", form, exc, org=org, users=users,
                            field=_field_of(form, exc))
    db.commit()
    flash(gettext("Modifications enregistrées."), "success")
    return redirect(url_for("admin.org_edit", code=org.code))


@bp.post("/orgs/<code>/active")
def org_active(code: str):
    """Disable or enable an organisation."""
    db = get_session()
    org = get_org(db, code)
    current_scope().require(org)
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
        select(Organisation.code, Organisation.name)
        .where(Organisation.active.is_(True), current_scope().members())
        .order_by(Organisation.name)).all()
    form.org.choices = [("", _l("Choisir…")), *((code, name) for code, name in orgs)]
    return form


@bp.get("/users")
def users():
    """Users, searchable."""
    q = request.args.get("q", "")[:100]
    page = service.list_users(get_session(), page=_page(), q=q, scope=current_scope())
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
        current_scope().require(org)
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
    current_scope().require(user.org)
    service.set_user_active(db, user, _switched_on(), actor=current_user)
    db.commit()
    flash(gettext("Compte de %(email)s mis à jour.", email=user.email), "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.post("/users/<int:user_id>/reset")
def user_reset(user_id: int):
    """Give a user a new temporary password, shown once."""
    db = get_session()
    user = service.get_user(db, user_id)
    current_scope().require(user.org)
    password = service.reset_password(db, user, actor=current_user)
    db.commit()
    return secret_page(user=user, password=password, reset=True)


# ------------------------------------------------------------------ API tokens


@bp.get("/tokens")
def tokens():
    """Every API token of the territory's members' users: prefix, label, owner,
    last use, revoked or not."""
    page = service.list_tokens(get_session(), page=_page(), scope=current_scope())
    return render_template("admin/tokens.html", page=page, form=UserTokenForm())


@bp.post("/tokens")
def token_new():
    """A token for a user of the territory's members (shown once)."""
    db = get_session()
    form = UserTokenForm()

    def tokens_page() -> dict:
        return {"page": service.list_tokens(db, page=1, scope=current_scope())}

    if not form.validate():
        return refused_form("admin/tokens.html", form, reread=tokens_page)
    try:
        user = get_user_by_email(db, form.email.data)
        current_scope().require(user.org)
        token, clear = service.create_token(db, user, form.label.data)
    except BouteillesError as exc:
        return refused_form("admin/tokens.html", form, exc, field="email", reread=tokens_page)
    db.commit()
    return secret_page(201, user=user, token=token, clear=clear)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """Revoke any token."""
    db = get_session()
    token = service.revoke_token_as(db, token_id, actor=current_user, scope=current_scope())
    db.commit()
    flash(gettext("Jeton %(prefix)s… révoqué.", prefix=token.prefix), "success")
    return redirect(url_for("admin.tokens"))


# ------------------------------------------------------------------ container types


@bp.get("/types")
def types():
    """Container types, with the reader's territory's own deposits."""
    db = get_session()
    return render_template("admin/types.html", page=service.list_types(db, page=_page()),
                           own_deposits=service.own_deposits(db, current_scope()))


@bp.route("/types/new", methods=["GET", "POST"])
def type_new():
    """Create a container type."""
    if request.method == "GET":
        form = _with_models(NewTypeForm.blank(active=True, deposit_cents="0"))
        return render_template("admin/type_form.html", ctype=None, form=form)
    form = _with_models(NewTypeForm())
    if not form.validate():
        return refused_form("admin/type_form.html", form, ctype=None)
    db = get_session()
    try:
        ctype = service.create_type(db, code=form.code.data, values=form.values(),
                                    actor=current_user)
        bottle_models.set_type_model(db, ctype, form.model.data or None, actor=current_user)
    except BouteillesError as exc:
        return refused_form("admin/type_form.html", form, exc, ctype=None)
    db.commit()
    flash(gettext("Type « %(code)s » créé.", code=ctype.code), "success")
    return redirect(url_for("admin.type_edit", code=ctype.code))


def _with_models(form: TypeForm) -> TypeForm:
    """The type form with the registry's bottle models to choose from."""
    return form.with_models(bottle_models.all_models(get_session()))


def _type_context(ctype, **forms) -> dict:
    """A type's page: its history, the territories' own deposits (the reader's
    territory, or every one for the national coordination) and the form setting its
    territory's (a territory's coordination)."""
    db = get_session()
    scope = current_scope()
    deposit_form = forms.get("deposit_form")
    if deposit_form is None and not scope.whole:
        own = dict((t.id, cents) for t, cents in service.territory_deposits(db, ctype, scope))
        cents = own.get(scope.territory_id)
        deposit_form = TerritoryDepositForm.blank(
            deposit="" if cents is None else f"{cents / 100:.2f}")
    return {"ctype": ctype, "history": service.type_history(db, ctype.id, page=_page()),
            "deposits": service.territory_deposits(db, ctype, scope),
            "deposit_form": deposit_form, "scope": scope}


@bp.route("/types/<code>", methods=["GET", "POST"])
def type_edit(code: str):
    """A container type; the national administration edits it, every change kept in
    its history."""
    db = get_session()
    ctype = get_type(db, code)
    context = _type_context(ctype)
    if request.method == "GET":
        return render_template("admin/type_form.html", form=_with_models(TypeForm.of(ctype)),
                               **context)
    form = _with_models(TypeForm())
    if not form.validate():
        return refused_form("admin/type_form.html", form, **context)
    try:
        revision = service.update_type(db, ctype, values=form.values(), actor=current_user)
        revision = bottle_models.set_type_model(db, ctype, form.model.data or None,
                                                actor=current_user) or revision
    except BouteillesError as exc:
        return refused_form("admin/type_form.html", form, exc, **context)
    db.commit()
    flash(gettext("Modifications enregistrées.") if revision
          else gettext("Rien n'a changé."), "success")
    return redirect(url_for("admin.type_edit", code=ctype.code))


@bp.post("/types/<code>/deposits/<territory>")
def type_deposit(code: str, territory: str):
    """A territory's own deposit for the type (empty: the type's): its coordination's
    administrators set it (the national ones: any territory's)."""
    db = get_session()
    ctype = get_type(db, code)
    scope = territories.scope_for_code(db, current_scope(), territory)
    form = TerritoryDepositForm()

    def reread() -> dict:
        return {"form": _with_models(TypeForm.of(ctype)),
                **_type_context(ctype, deposit_form=form)}

    if not form.validate():
        return refused_form("admin/type_form.html", form, form_name="deposit_form",
                            reread=reread)
    try:
        service.set_territory_deposit(db, territories.get_territory(db, territory), ctype,
                                      form.cents())
    except BouteillesError as exc:
        return refused_form("admin/type_form.html", form, exc, form_name="deposit_form",
                            reread=reread)
    db.commit()
    flash(gettext("Consigne de %(territory)s enregistrée.", territory=scope.territory_name),
          "success")
    return redirect(url_for("admin.type_edit", code=ctype.code))


# ------------------------------------------------------------------ territories


@bp.route("/territories", methods=["GET", "POST"])
def territories_page():
    """The territories with their number of members; the national administration
    creates one here (members join it from their page)."""
    db = get_session()
    if request.method == "GET":
        return render_template("admin/territories.html", form=TerritoryForm.blank(),
                               rows=territories.territory_members(db))
    form = TerritoryForm()

    def reread() -> dict:
        return {"rows": territories.territory_members(db)}

    if not form.validate():
        return refused_form("admin/territories.html", form, reread=reread)
    try:
        territory = territories.create_territory(db, code=form.code.data, name=form.name.data)
    except BouteillesError as exc:
        return refused_form("admin/territories.html", form, exc, reread=reread)
    db.commit()
    flash(gettext("Territoire « %(name)s » créé.", name=territory.name), "success")
    return redirect(url_for("admin.territories_page"))



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
