"""The washing site's pages: receive, sort, batches, release clean stock, requests.

Each view loads, authorises, calls one service, commits once. A refused form is
shown again with what was typed and the reason (422).
"""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..db.database import get_session
from ..forms.washing import (
    BatchCloseForm,
    BatchCorrectionForm,
    BatchInputsForm,
    FulfilForm,
    OpenBatchForm,
    ReceiveCodesForm,
    ReceiveCountForm,
    ReleaseForm,
    SortCodesForm,
    SortCrateForm,
    receive_form,
    sort_form,
)
from ..models import REJECT_REASONS, Batch
from ..services import access, bottle_models
from ..services.errors import BouteillesError, Forbidden
from ..services.geography.transport import proposed_collection_leg
from ..services.items.stock import stock_rows
from ..services.pages import winegrower
from ..services.pages.batch import batch_page_facts
from ..services.paging import page_number, paginate
from ..services.washing import site as washing
from ..services.washing.batches import close_batch, get_batch, open_batch
from ..services.washing.corrected import corrected_clean
from ..services.washing.inputs import add_inputs_one_by_one
from ..vocabulary import REASON_LABELS
from .guard import guard_blueprint
from .refusals import refused_form
from .scoping import current_scope

bp = Blueprint("washing", __name__, url_prefix="/washing")

# Washing sites act here; the coordination also reads the batches.
BATCH_PAGES = ("washing.batches", "washing.batch_page", "washing.batch_labels")
guard_blueprint(bp, "washing_work", reads=dict.fromkeys(BATCH_PAGES, "batch_pages"))


@bp.context_processor
def _labels():
    return {"reason_label": lambda r: REASON_LABELS.get(r, r), "reject_reasons": REJECT_REASONS}


def _with_types(form):
    """A form choosing among the active container types."""
    form.type.choices = [(t.code, t.name) for t in washing.active_types(get_session())]
    return form


# ------------------------------------------------------------------ home, receive, sort


@bp.get("/")
def index():
    """The site's stock by type and state, open batches, open requests."""
    db = get_session()
    open_batches = paginate(db, washing.batches_query(site_id=current_user.org_id,
                                                     status="open"), 1, 10)
    requests = paginate(db, winegrower.requests_query(site_id=current_user.org_id,
                                                      status="open"), 1, 5)
    return render_template("washing/index.html", rows=stock_rows(db, holder_id=current_user.org_id),
                           open_batches=open_batches, requests=requests)


def _receive_context(**extra):
    """The receive page: its two forms (blank unless given), recent receipts."""
    db = get_session()
    page = paginate(db, washing.recent_receipts(current_user.org_id),
                    page_number(request.args.get("page")))
    return {"codes_form": ReceiveCodesForm.blank(),
            "count_form": _with_types(ReceiveCountForm.blank()), "receipts": page, **extra}


@bp.route("/receive", methods=["GET", "POST"])
def receive():
    """Receive by codes (scanned or typed) or by a counted quantity."""
    if request.method == "GET":
        return render_template("washing/receive.html", **_receive_context(
            new_crate=request.args.get("crate", "")[:40]))
    form = receive_form()
    counted = isinstance(form, ReceiveCountForm)
    form_name = "count_form" if counted else "codes_form"
    if counted:
        _with_types(form)
    if not form.validate():
        return refused_form("washing/receive.html", form, form_name=form_name,
                            reread=_receive_context)
    db = get_session()
    try:
        if counted:
            crate = washing.receive_count(db, actor=current_user, type_code=form.type.data,
                                          quantity=form.quantity.data)
            message = gettext("Reçu : nouvelle caisse %(code)s de %(n)s.", code=crate.code,
                                n=crate.quantity)
        else:
            lines = washing.receive_codes(db, actor=current_user, codes=form.codes.codes)
            received = sum(r.outcome == "received" for r in lines)
            already = sum(r.outcome == "already_here" for r in lines)
            message = gettext(
                "%(received)s, %(already)s.",
                received=ngettext("%(num)s reçu", "%(num)s reçus", received),
                already=ngettext("%(num)s déjà enregistré ici", "%(num)s déjà enregistrés ici",
                                 already))
    except BouteillesError as exc:
        return refused_form("washing/receive.html", form, exc,
                            field=None if counted else "codes", form_name=form_name,
                            reread=_receive_context)
    db.commit()
    flash(message, "success")
    if counted:
        return redirect(url_for(".receive", crate=crate.code))
    return redirect(url_for(".receive"))


@bp.route("/sort", methods=["GET", "POST"])
def sort():
    """Sort scanned things (good, or rejected with a reason), or split a crate by count."""
    forms = {"codes_form": SortCodesForm.blank(), "crate_form": SortCrateForm.blank(),
             "models": bottle_models.sort_reference(get_session(), current_user.org_id)}
    if request.method == "GET":
        return render_template("washing/sort.html", **forms)
    form = sort_form()
    by_crate = isinstance(form, SortCrateForm)
    form_name = "crate_form" if by_crate else "codes_form"
    if not form.validate():
        return refused_form("washing/sort.html", form, form_name=form_name, **forms)
    db = get_session()
    try:
        if by_crate:
            crate, parts = washing.sort_crate(db, actor=current_user, code=form.crate.data,
                                              rejects=form.rejects())
            rejected = sum(p.quantity for p in parts)
            message = gettext(
                "Caisse %(code)s triée : %(good)s, %(rejected)s.", code=crate.code,
                good=ngettext("%(num)s bonne", "%(num)s bonnes", crate.quantity),
                rejected=ngettext("%(num)s écartée", "%(num)s écartées", rejected))
        else:
            items = washing.sort_codes(db, actor=current_user, reason=form.reason.data or None,
                                       codes=form.codes.codes)
            message = ngettext("%(num)s trié.", "%(num)s triés.", len(items))
    except BouteillesError as exc:
        return refused_form("washing/sort.html", form, exc,
                            field="crate" if by_crate else "codes", form_name=form_name,
                            **forms)
    db.commit()
    flash(message, "success")
    return redirect(url_for(".sort"))


# ------------------------------------------------------------------ batches


def _site_id() -> int | None:
    return None if access.may(current_user, "oversee_network") else current_user.org_id


def _batches_context(form=None):
    """The batch list; the form opening one (blank unless given)."""
    db = get_session()
    status = request.args.get("status") or None
    type_code = request.args.get("type") or None
    try:
        ctype = washing.type_or_none(db, type_code)
    except BouteillesError:
        ctype, type_code = None, None
    stmt = washing.batches_query(site_id=_site_id(), status=status,
                                 type_id=ctype.id if ctype else None) \
        .where(current_scope().rows(Batch.territory_id))  # a territory's coordination
    page = paginate(db, stmt, page_number(request.args.get("page")))
    return {"page": page, "corrected": corrected_clean(db, [b.id for b in page.items]),
            "types": washing.active_types(db), "status": status, "type_code": type_code,
            "form": form or _with_types(OpenBatchForm.blank())}


@bp.get("/batches")
def batches():
    """Batches of the site, newest first, filtered by status and type."""
    return render_template("washing/batches.html", **_batches_context())


@bp.post("/batches")
def open_batch_view():
    """Open a batch for one container type."""
    form = _with_types(OpenBatchForm())
    if not form.validate():
        return refused_form("washing/batches.html", form, reread=_batches_context)
    db = get_session()
    try:
        batch = open_batch(db, actor=current_user, type_code=form.type.data)
    except BouteillesError as exc:
        return refused_form("washing/batches.html", form, exc, reread=_batches_context)
    db.commit()
    flash(gettext("Lot %(code)s ouvert.", code=batch.code), "success")
    return redirect(url_for(".batch_page", batch_id=batch.id))


def _load_batch(batch_id: int, *, for_update: bool = False):
    batch = get_batch(get_session(), batch_id, for_update=for_update)
    if not access.may(current_user, "oversee_network") and batch.site_id != current_user.org_id:
        raise Forbidden(_l("Ce lot appartient à un autre site de lavage."))
    scope = current_scope()  # a territory's coordination reads its sites' batches
    if not scope.whole and batch.territory_id != scope.territory_id:
        raise Forbidden(_l("Ce lot est celui d'un site d'un autre territoire."))
    return batch


def _batch_context(batch, **extra):
    """A batch's page; its forms blank unless given (the correction's filled with the
    batch's counts as they stand)."""
    context = batch_page_facts(get_session(), batch, viewer=current_user,
                               page=page_number(request.args.get("page")))
    proposal = proposed_collection_leg(get_session(), batch) if batch.status == "open" else None
    close_form = BatchCloseForm.blank(**({"km_0": f"{proposal.km:g}", "mode_0": "van"}
                                         if proposal else {}))
    context.update(inputs_form=inputs_form(blank=True), close_form=close_form,
                   transport_proposal=proposal,
                   release_form=ReleaseForm.blank(), input_outcomes=[])
    if context["figures"] is not None:
        figures = context["figures"]
        context["correction_form"] = BatchCorrectionForm.blank(clean=figures.clean, **{
            f"reject_{r}": figures.rejects.get(r, 0) for r in REJECT_REASONS})
    context.update(extra)
    return context


def _batch_context_of(batch_id: int) -> dict:
    """A batch's page as the database holds it (after a refused form's rollback)."""
    return _batch_context(_load_batch(batch_id))


def inputs_form(*, blank: bool = False) -> BatchInputsForm:
    """The form adding inputs, its count limited to the app's MAX_BATCH_INPUT."""
    form = BatchInputsForm.blank() if blank else BatchInputsForm()
    return form.limit_count(current_app.config["MAX_BATCH_INPUT"])


@bp.get("/batches/<int:batch_id>")
def batch_page(batch_id: int):
    """One batch: inputs, outputs, rejects by reason, impact, who did what when."""
    return render_template("washing/batch.html", **_batch_context(_load_batch(batch_id)))


@bp.post("/batches/<int:batch_id>/inputs")
def batch_inputs(batch_id: int):
    """Add inputs by scanned codes and/or a count. Each code stands on its own: the
    accepted ones are recorded, the refused ones listed with their reason and left
    in the form to be dealt with (422)."""
    batch = _load_batch(batch_id, for_update=True)
    form = inputs_form()
    reread = partial(_batch_context_of, batch_id)
    if not form.validate():
        return refused_form("washing/batch.html", form, form_name="inputs_form", reread=reread)
    db = get_session()
    try:
        outcomes = add_inputs_one_by_one(
            db, batch, actor=current_user, codes=form.codes.codes, count=form.count.data,
            max_count=current_app.config["MAX_BATCH_INPUT"])
    except BouteillesError as exc:
        return refused_form("washing/batch.html", form, exc, form_name="inputs_form",
                            field=getattr(exc, "field", None), reread=reread)
    db.commit()
    refused = [o for o in outcomes if not o.accepted]
    recorded = ngettext("Entrées ajoutées : le lot compte %(num)s entrée.",
                        "Entrées ajoutées : le lot compte %(num)s entrées.", batch.inputs)
    if not refused:
        flash(recorded, "success")
        return redirect(url_for(".batch_page", batch_id=batch.id))
    # What was refused stays in the form, to be set aside or scanned into its own batch.
    kept = BatchInputsForm(formdata=None, data={"codes": "\n".join(o.code for o in refused)})
    kept.limit_count(current_app.config["MAX_BATCH_INPUT"])
    kept.form_errors.append(ngettext(
        "%(num)s code refusé (ci-dessous, avec la raison) : il n'est pas entré dans le lot.",
        "%(num)s codes refusés (ci-dessous, avec la raison) : ils ne sont pas entrés dans le "
        "lot.", len(refused)))
    if len(refused) < len(outcomes) or form.count.data:
        flash(recorded, "success")
    return render_template("washing/batch.html", **_batch_context(
        batch, inputs_form=kept, input_outcomes=outcomes)), 422


@bp.post("/batches/<int:batch_id>/close")
def batch_close(batch_id: int):
    """Close with clean and rejected counts by reason, metered water/energy, transport;
    inputs far above the site's usual batch need the operator's confirmation."""
    batch = _load_batch(batch_id, for_update=True)
    form = BatchCloseForm()
    reread = partial(_batch_context_of, batch_id)
    if not form.validate():
        return refused_form("washing/batch.html", form, form_name="close_form", reread=reread)
    db = get_session()
    try:
        close_batch(db, batch, actor=current_user, clean=form.clean.data,
                    rejected=form.rejects(), water_l=form.water_l.data,
                    electricity_kwh=form.electricity_kwh.data, gas_kwh=form.gas_kwh.data,
                    transport=form.transport(), unusual_confirmed=bool(form.confirm_unusual.data),
                    hours_worked=form.hours_worked.data,
                    insertion_hours=form.insertion_hours.data)
    except BouteillesError as exc:
        return refused_form("washing/batch.html", form, exc, form_name="close_form",
                            field=getattr(exc, "field", None), reread=reread)
    db.commit()
    flash(gettext("Lot %(code)s clôturé.", code=batch.code), "success")
    return redirect(url_for(".batch_page", batch_id=batch.id))


@bp.post("/batches/<int:batch_id>/release")
def batch_release(batch_id: int):
    """Split the clean output into crates of N (new crates, labels to print)."""
    batch = _load_batch(batch_id)
    form = ReleaseForm()
    reread = partial(_batch_context_of, batch_id)
    if not form.validate():
        return refused_form("washing/batch.html", form, form_name="release_form", reread=reread)
    db = get_session()
    try:
        made = washing.release_in_crates(db, batch, actor=current_user, size=form.size.data)
    except BouteillesError as exc:
        return refused_form("washing/batch.html", form, exc, form_name="release_form",
                            reread=reread)
    db.commit()
    flash(ngettext("%(num)s nouvelle caisse : imprimez son étiquette.",
                   "%(num)s nouvelles caisses : imprimez leurs étiquettes.", len(made)),
          "success")
    return redirect(url_for(".batch_page", batch_id=batch.id))


@bp.get("/batches/<int:batch_id>/labels.pdf")
def batch_labels(batch_id: int):
    """The labels of the batch's output crates, on an A4 sheet."""
    batch = _load_batch(batch_id)
    db = get_session()
    pdf = washing.crate_labels_pdf(db, washing.batch_outputs(db, batch),
                                   current_app.config["BASE_URL"])
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="etiquettes-{batch.code}.pdf"'})


@bp.get("/labels.pdf")
def crate_labels():
    """Labels of crates the site holds (`?codes=A,B`), on an A4 sheet."""
    db = get_session()
    crates = washing.crates_held(db, current_user.org_id,
                                 washing.parse_codes(request.args.get("codes", ""), limit=200))
    pdf = washing.crate_labels_pdf(db, crates, current_app.config["BASE_URL"])
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="etiquettes.pdf"'})


# ------------------------------------------------------------------ winegrowers' requests


def _requests_context(**extra):
    db = get_session()
    status = request.args.get("status") or "open"
    stmt = winegrower.requests_query(site_id=current_user.org_id, status=status)
    return {"page": paginate(db, stmt, page_number(request.args.get("page"))),
            "status": status, "form": FulfilForm.blank(), "forms": {},
            "blank_form": FulfilForm.blank(), **extra}


@bp.get("/requests")
def requests_page():
    """Winegrowers' and restaurants' requests addressed to this site."""
    return render_template("washing/requests.html", **_requests_context())


@bp.post("/requests/<int:request_id>/fulfil")
def fulfil(request_id: int):
    """Deliver crates to the winegrower against a request."""
    db = get_session()
    wanted = winegrower.get_request(db, request_id, for_update=True)
    form = FulfilForm()
    reread = partial(_requests_context, forms={request_id: form})
    if not form.validate():
        return refused_form("washing/requests.html", form, reread=reread)
    try:
        winegrower.fulfil_request(db, wanted, actor=current_user, codes=form.codes.codes)
    except BouteillesError as exc:
        field = "codes" if isinstance(exc, washing.CodeRefused) else None
        return refused_form("washing/requests.html", form, exc, field=field, reread=reread)
    db.commit()
    flash(ngettext("Livré : %(n)s sur %(num)s demandée.", "Livré : %(n)s sur %(num)s demandées.",
                   wanted.quantity, n=wanted.delivered),
          "success")
    return redirect(url_for(".requests_page"))
