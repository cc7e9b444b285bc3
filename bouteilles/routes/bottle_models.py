"""The registry of bottle models, kept by the national coordination.

Like the container types: the coordination reads it (a territory's, and the
national one's users without admin rights, read only); the national
coordination's administrators create and change models. Everyone else: 403;
anonymous visitors: the login page. The globals registered here show a model
(name, colour, volume) on the washing site's, the winegrowers' and the
coordination's pages.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..db.database import get_session
from ..forms.bottle_models import BottleModelForm, NewBottleModelForm
from ..services import bottle_models as service
from ..services.errors import BouteillesError, Forbidden
from ..services.paging import page_number
from .guard import guard_blueprint
from .refusals import refused_form
from .scoping import current_scope

bp = Blueprint("bottle_models", __name__, url_prefix="/admin/models")
NEW_PAGE = "bottle_models.new"
guard_blueprint(bp, "coordination_pages", changes="administer", change_pages={NEW_PAGE})
for _name, _function in (("model_line", service.describe_model),
                         ("volume_text", service.volume_text),
                         ("colour_label", service.colour_label)):
    bp.add_app_template_global(_function, _name)


@bp.before_request
def _national_only() -> None:
    """A territory's coordination reads the registry; only the national one changes it."""
    changing = request.method not in ("GET", "HEAD") or request.endpoint == NEW_PAGE
    if changing and not current_scope().whole:
        raise Forbidden(_l("Réservé à la coordination nationale : celle d'un territoire "
                           "consulte ces réglages communs au réseau."))


@bp.get("/")
def index():
    """The models, by name, with the types made of each."""
    db = get_session()
    page = service.list_models(db, page=page_number(request.args.get("page")))
    return render_template("bottle_models/index.html", page=page,
                           types={m.id: service.types_of(db, m) for m in page.items})


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a model to the registry."""
    if request.method == "GET":
        return render_template("bottle_models/form.html", model=None,
                               form=NewBottleModelForm.blank())
    form = NewBottleModelForm()
    if not form.validate():
        return refused_form("bottle_models/form.html", form, model=None)
    db = get_session()
    try:
        model = service.create_model(db, code=form.code.data, values=form.values())
    except BouteillesError as exc:
        return refused_form("bottle_models/form.html", form, exc, model=None)
    db.commit()
    flash(gettext("Modèle « %(name)s » ajouté.", name=model.name), "success")
    return redirect(url_for(".edit", code=model.code))


@bp.route("/<code>", methods=["GET", "POST"])
def edit(code: str):
    """A model: its fields (the national administration changes them), its types."""
    db = get_session()
    model = service.get_model(db, code)
    context = {"model": model, "types": service.types_of(db, model)}
    if request.method == "GET":
        return render_template("bottle_models/form.html", form=BottleModelForm.of(model),
                               **context)
    form = BottleModelForm()
    if not form.validate():
        return refused_form("bottle_models/form.html", form, **context)
    try:
        changed = service.update_model(db, model, values=form.values())
    except BouteillesError as exc:
        return refused_form("bottle_models/form.html", form, exc, **context)
    db.commit()
    flash(gettext("Modifications enregistrées.") if changed else gettext("Rien n'a changé."),
          "success")
    return redirect(url_for(".edit", code=model.code))
