"""The coordination's imports from a spreadsheet (`/admin/import`): organisations,
users, labelled stock (services/imports/).

Administrators of the coordination only; a territory's imports its own members
and their users and stock (`current_scope`). « Vérifier » reads the file and
shows every row's faults, writing nothing; when every row is valid, the preview
carries the rows read, signed with the app's secret and dated (no file kept on
the server, any worker can take the next request), and « Importer » checks them
all again against the database as it is then and writes them in one transaction,
or nothing. Temporary passwords of imported users are shown once, in that
answer, never cached.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..db.database import get_session
from ..forms.imports import ImportConfirmForm, ImportForm
from ..services.imports import (
    KINDS,
    FileRefused,
    Outcome,
    read_file,
    run_import,
    table_from_rows,
    table_rows,
)
from .formatting import register_filters
from .guard import guard_blueprint
from .scoping import current_scope

bp = Blueprint("imports", __name__, url_prefix="/admin")
register_filters(bp)
guard_blueprint(bp, "coordination_pages", changes="administer", change_pages={"imports.page"})

PREVIEW_MAX_AGE = 3600  # seconds: a preview is imported within the hour, or checked again
# The signed rows go back with « Importer »: the request must stay under the app's
# MAX_CONTENT_LENGTH (1 MiB); rows of ordinary text compress well below it.
MAX_SIGNED = 1_000_000
SHOWN_VALID = 30  # valid rows listed in a preview (the faulty ones: all)
TEMPLATE = "imports/page.html"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="bouteilles.imports")


def _page(form: ImportForm, outcome: Outcome | None = None, status: int = 200,
          signed: str | None = None):
    """The page: the file's form, the preview or the result, the import button."""
    confirm = None
    if signed is not None:
        confirm = ImportConfirmForm.blank(kind=outcome.kind.code, rows=signed)
    response = make_response(render_template(
        TEMPLATE, form=form, outcome=outcome, confirm=confirm, shown_valid=SHOWN_VALID),
        status)
    response.headers["Cache-Control"] = "no-store"  # temporary passwords, members' e-mails
    return response


@bp.route("/import", methods=["GET", "POST"])
def page():
    """The import page: choose a file, check it, import it."""
    if request.method == "GET":
        return _page(ImportForm.blank(kind=request.args.get("kind", "orgs")))
    if "rows" in request.form:
        return _apply()
    return _preview()


def _preview():
    """Read and check the file; nothing is written."""
    form = ImportForm()
    data = form.file_bytes() if form.validate() else None
    if data is None:
        return _page(form, status=422)
    kind = KINDS[form.kind.data]
    try:
        table = read_file(kind, data)
    except FileRefused as exc:
        form.refuse(exc, "upload")
        return _page(form, status=422)
    db = get_session()
    outcome = run_import(db, kind, table, actor=current_user, scope=current_scope(),
                         apply=False)
    db.rollback()
    if not outcome.ok:
        return _page(form, outcome, 422)
    signed = _signer().dumps({"kind": kind.code, "user": current_user.id, **table_rows(table)})
    if len(signed) > MAX_SIGNED:
        form.refuse(_l("Ce fichier est valide mais trop volumineux pour être importé depuis "
                       "cette page : découpez-le, ou importez-le en ligne de commande "
                       "(flask import)."), "upload")
        return _page(form, outcome, 422)
    return _page(form, outcome, signed=signed)


def _apply():
    """Check the previewed rows again and write them all, or nothing."""
    confirm = ImportConfirmForm()
    form = ImportForm.blank(kind=confirm.kind.data if confirm.kind.data in KINDS else "orgs")
    try:
        data = _signer().loads(confirm.rows.data or "", max_age=PREVIEW_MAX_AGE)
    except BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("user") != current_user.id \
            or data.get("kind") not in KINDS:
        form.refuse(_l("Cet aperçu a expiré ou n'est pas le vôtre : choisissez à nouveau le "
                       "fichier et vérifiez-le."))
        return _page(form, status=422)
    kind = KINDS[data["kind"]]
    db = get_session()
    outcome = run_import(db, kind, table_from_rows(kind, data), actor=current_user,
                         scope=current_scope(), apply=True)
    if not outcome.ok:
        db.rollback()
        return _page(form, outcome, 422)
    db.commit()
    return _page(ImportForm.blank(kind=kind.code), outcome, 201)
