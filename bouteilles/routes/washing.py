"""The washing site's pages: receive, sort, batches, release clean stock, requests.

Each view loads, authorises, calls one service, commits once. A refused form is
shown again with what was typed and the reason (422).
"""

from __future__ import annotations

from decimal import Decimal

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
from flask_login import current_user

from ..db.database import get_session
from ..i18n import translate
from ..models import REJECT_REASONS, User
from ..services import access
from ..services.errors import BouteillesError, Forbidden, ValidationError
from ..services.items.stock import stock_rows
from ..services.pages import winegrower
from ..services.paging import page_number, paginate
from ..services.payload import optional_decimal, optional_int
from ..services.washing import site as washing
from ..services.washing.batches import add_inputs, close_batch, get_batch, open_batch
from ..vocabulary import REASON_LABELS
from .guard import guard_blueprint

bp = Blueprint("washing", __name__, url_prefix="/washing")

TRANSPORT_ROWS = 2


# Washing sites act here; the coordination also reads the batches.
BATCH_PAGES = ("washing.batches", "washing.batch_page", "washing.batch_labels")
guard_blueprint(bp, "washing_work", reads=dict.fromkeys(BATCH_PAGES, "batch_pages"))


@bp.context_processor
def _labels():
    return {"reason_label": lambda r: REASON_LABELS.get(r, r), "reject_reasons": REJECT_REASONS}


def refused(template: str, exc: BouteillesError, **context):
    """Show the form again with the typed values and the refusal."""
    get_session().rollback()
    message = translate(exc.template, **exc.params)
    if isinstance(exc, washing.CodeRefused):
        message = f"« {exc.text} » : {message}"
    return render_template(template, error=message, **context), 422


def form_int(name: str, label: str, *, maximum: int = 1_000_000) -> int | None:
    raw = request.form.get(name, "").strip()
    return optional_int(raw or None, field=translate(label), maximum=maximum)


def form_decimal(name: str, label: str) -> Decimal | None:
    raw = request.form.get(name, "").strip().replace(",", ".")
    return optional_decimal(raw or None, field=translate(label))


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


def _receive_context(form=None, **extra):
    db = get_session()
    page = paginate(db, washing.recent_receipts(current_user.org_id),
                    page_number(request.args.get("page")))
    return {"form": form or {}, "types": washing.active_types(db), "receipts": page, **extra}


@bp.route("/receive", methods=["GET", "POST"])
def receive():
    """Receive by codes (scanned or typed) or by a counted quantity."""
    if request.method == "GET":
        return render_template("washing/receive.html", **_receive_context(
            new_crate=request.args.get("crate", "")[:40]))
    form = request.form.to_dict()
    db = get_session()
    try:
        if form.get("mode") == "count":
            quantity = form_int("quantity", "Quantité")
            if quantity is None:
                raise ValidationError("Indiquez la quantité comptée.")
            crate = washing.receive_count(db, actor=current_user, type_code=form.get("type", ""),
                                          quantity=quantity)
            message = translate("Reçu : nouvelle caisse {code} de {n}.", code=crate.code,
                                n=crate.quantity)
        else:
            lines = washing.receive_codes(db, actor=current_user,
                                          codes=washing.parse_codes(form.get("codes", "")))
            message = translate("{n} reçu(s), {k} déjà enregistré(s) ici.",
                                n=sum(r.outcome == "received" for r in lines),
                                k=sum(r.outcome == "already_here" for r in lines))
    except BouteillesError as exc:
        return refused("washing/receive.html", exc, **_receive_context(form))
    db.commit()
    flash(message, "success")
    if form.get("mode") == "count":
        return redirect(url_for(".receive", crate=crate.code))
    return redirect(url_for(".receive"))


@bp.route("/sort", methods=["GET", "POST"])
def sort():
    """Sort scanned things (good, or rejected with a reason), or split a crate by count."""
    if request.method == "GET":
        return render_template("washing/sort.html", form={})
    form = request.form.to_dict()
    db = get_session()
    try:
        if form.get("mode") == "crate":
            rejects = {r: form_int(f"reject_{r}", REASON_LABELS[r]) or 0 for r in REJECT_REASONS}
            crate, parts = washing.sort_crate(db, actor=current_user,
                                              code=form.get("crate", ""), rejects=rejects)
            message = translate("Caisse {code} triée : {n} bonnes, {k} écartées.",
                                code=crate.code, n=crate.quantity,
                                k=sum(p.quantity for p in parts))
        else:
            reason = form.get("reason") or None
            items = washing.sort_codes(db, actor=current_user, reason=reason,
                                       codes=washing.parse_codes(form.get("codes", "")))
            message = translate("{n} trié(s).", n=len(items))
    except BouteillesError as exc:
        return refused("washing/sort.html", exc, form=form)
    db.commit()
    flash(message, "success")
    return redirect(url_for(".sort"))


# ------------------------------------------------------------------ batches


def _site_id() -> int | None:
    return None if access.may(current_user, "oversee_network") else current_user.org_id


def _batches_context(form=None):
    db = get_session()
    status = request.args.get("status") or None
    type_code = request.args.get("type") or None
    try:
        ctype = washing.type_or_none(db, type_code)
    except BouteillesError:
        ctype, type_code = None, None
    stmt = washing.batches_query(site_id=_site_id(), status=status,
                                 type_id=ctype.id if ctype else None)
    return {"page": paginate(db, stmt, page_number(request.args.get("page"))),
            "types": washing.active_types(db), "status": status, "type_code": type_code,
            "form": form or {}}


@bp.get("/batches")
def batches():
    """Batches of the site, newest first, filtered by status and type."""
    return render_template("washing/batches.html", **_batches_context())


@bp.post("/batches")
def open_batch_view():
    """Open a batch for one container type."""
    form = request.form.to_dict()
    db = get_session()
    try:
        batch = open_batch(db, actor=current_user, type_code=form.get("type", ""))
    except BouteillesError as exc:
        return refused("washing/batches.html", exc, **_batches_context(form))
    db.commit()
    flash(translate("Lot {code} ouvert.", code=batch.code), "success")
    return redirect(url_for(".batch_page", batch_id=batch.id))


def _load_batch(batch_id: int, *, for_update: bool = False):
    batch = get_batch(get_session(), batch_id, for_update=for_update)
    if not access.may(current_user, "oversee_network") and batch.site_id != current_user.org_id:
        raise Forbidden("Ce lot appartient à un autre site de lavage.")
    return batch


def _batch_context(batch, **extra):
    db = get_session()
    people = {uid: db.get(User, uid) for uid in (batch.opened_by_id, batch.closed_by_id) if uid}
    context = {
        "batch": batch, "outputs": washing.batch_outputs(db, batch),
        "events": paginate(db, washing.batch_events(batch), page_number(request.args.get("page"))),
        "opened_by": people.get(batch.opened_by_id), "closed_by": people.get(batch.closed_by_id),
        "inputs_form": {}, "close_form": {}, "release_form": {},
        "transport_rows": range(TRANSPORT_ROWS),
    }
    context.update(extra)
    return context


@bp.get("/batches/<int:batch_id>")
def batch_page(batch_id: int):
    """One batch: inputs, outputs, rejects by reason, impact, who did what when."""
    return render_template("washing/batch.html", **_batch_context(_load_batch(batch_id)))


@bp.post("/batches/<int:batch_id>/inputs")
def batch_inputs(batch_id: int):
    """Add inputs by scanned codes and/or a count."""
    batch = _load_batch(batch_id, for_update=True)
    form = request.form.to_dict()
    db = get_session()
    try:
        codes = washing.parse_codes(form.get("codes", ""))
        count = form_int("count", "Nombre")
        if not codes and not count:
            raise ValidationError("Scannez des codes ou indiquez un nombre.")
        try:
            add_inputs(db, batch, actor=current_user, codes=codes, count=count)
        except washing.CodeRefused:
            raise
        except BouteillesError as exc:
            if len(codes) == 1 and not count:
                raise washing.CodeRefused(codes[0], exc) from exc
            raise
    except BouteillesError as exc:
        batch = _load_batch(batch_id)
        return refused("washing/batch.html", exc, **_batch_context(batch, inputs_form=form))
    db.commit()
    flash(translate("Entrées ajoutées : le lot compte {n} entrées.", n=batch.inputs), "success")
    return redirect(url_for(".batch_page", batch_id=batch.id))


def _transport_legs() -> list[dict]:
    legs = []
    for i in range(TRANSPORT_ROWS):
        km = form_decimal(f"km_{i}", "Distance (km)")
        if km is None:
            continue
        mode = request.form.get(f"mode_{i}", "van")
        if mode not in ("van", "truck"):
            raise ValidationError("Mode de transport inconnu : {mode}.", mode=mode[:20])
        legs.append({"km": float(km), "mode": mode})
    return legs


@bp.post("/batches/<int:batch_id>/close")
def batch_close(batch_id: int):
    """Close with clean and rejected counts by reason, metered water/energy, transport."""
    batch = _load_batch(batch_id, for_update=True)
    form = request.form.to_dict()
    db = get_session()
    try:
        clean = form_int("clean", "Propres", maximum=10_000_000)
        if clean is None:
            raise ValidationError("Indiquez le nombre de propres.")
        rejected = {r: form_int(f"reject_{r}", REASON_LABELS[r], maximum=10_000_000) or 0
                    for r in REJECT_REASONS}
        close_batch(db, batch, actor=current_user, clean=clean, rejected=rejected,
                    water_l=form_decimal("water_l", "Eau (L)"),
                    electricity_kwh=form_decimal("electricity_kwh", "Électricité (kWh)"),
                    gas_kwh=form_decimal("gas_kwh", "Gaz (kWh)"),
                    transport=_transport_legs())
    except BouteillesError as exc:
        batch = _load_batch(batch_id)
        return refused("washing/batch.html", exc, **_batch_context(batch, close_form=form))
    db.commit()
    flash(translate("Lot {code} clôturé.", code=batch.code), "success")
    return redirect(url_for(".batch_page", batch_id=batch.id))


@bp.post("/batches/<int:batch_id>/release")
def batch_release(batch_id: int):
    """Split the clean output into crates of N (new crates, labels to print)."""
    batch = _load_batch(batch_id)
    form = request.form.to_dict()
    db = get_session()
    try:
        size = form_int("size", "Bouteilles par caisse")
        if size is None:
            raise ValidationError("Indiquez combien de bouteilles par caisse.")
        made = washing.release_in_crates(db, batch, actor=current_user, size=size)
    except BouteillesError as exc:
        return refused("washing/batch.html", exc, **_batch_context(batch, release_form=form))
    db.commit()
    flash(translate("{n} nouvelle(s) caisse(s) : imprimez leurs étiquettes.", n=len(made)),
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
            "status": status, "forms": {}, **extra}


@bp.get("/requests")
def requests_page():
    """Winegrowers' requests addressed to this site."""
    return render_template("washing/requests.html", **_requests_context())


@bp.post("/requests/<int:request_id>/fulfil")
def fulfil(request_id: int):
    """Deliver crates to the winegrower against a request."""
    db = get_session()
    wanted = winegrower.get_request(db, request_id, for_update=True)
    form = request.form.to_dict()
    try:
        winegrower.fulfil_request(db, wanted, actor=current_user,
                                  codes=washing.parse_codes(form.get("codes", "")))
    except Forbidden:
        raise
    except BouteillesError as exc:
        return refused("washing/requests.html", exc,
                       **_requests_context(forms={request_id: form}))
    db.commit()
    flash(translate("Livré : {n} sur {m} demandées.", n=wanted.delivered, m=wanted.quantity),
          "success")
    return redirect(url_for(".requests_page"))
