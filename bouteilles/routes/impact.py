"""Impact: the JSON figures, the monthly report and EPCIS downloads, the dashboards.

Who sees what: the coordination sees the network or any member (`?org=`);
everyone else sees their own organisation only (another `org` → 403).
"""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
)
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wsgi import FileWrapper

from ..auth import api_actor, login_manager
from ..db.database import get_read_session, get_session
from ..formatting import kilograms, month_name, number
from ..models import Organisation, User
from ..reports import EXTENSIONS, FORMATS, build_monthly_report, render
from ..reports.model import period_label
from ..reports.svg_chart import Bar, bar_chart
from ..schemas.reports import (
    EPCIS_FILE,
    LOG_IN_FIRST,
    REPORT_FILES,
    ExportQuery,
    Format,
    Impact,
    ImpactQuery,
    MonthInPath,
)
from ..services import access, periods
from ..services.deposits import PARIS, deposit_rows
from ..services.errors import BouteillesError, NotFound
from ..services.exports.epcis_month import export_epcis_month
from ..services.impact.figures import monthly_impact, twelve_months
from ..services.items.lookup import get_org
from .openapi import documented

bp = Blueprint("impact", __name__)
SPOOL_IN_MEMORY, SPOOL_READ_BYTES = 8 << 20, 64 << 10


def current_month() -> str:
    """This month in Paris, as YYYY-MM."""
    return datetime.now(PARIS).strftime("%Y-%m")


def parse_month(text: str | None) -> str:
    """A YYYY-MM month (default: the current one in Paris), or 422."""
    return periods.parse_month(text) if text else current_month()


def scope_for(actor: User, org_code: str | None) -> str | None:
    """The organisation whose figures the actor may read (None: the whole network)."""
    if access.may(actor, "oversee_network"):
        return get_org(get_session(), org_code).code if org_code else None
    if org_code and org_code != actor.org.code:
        access.require(actor, "oversee_network")
    return actor.org.code


@bp.get("/api/v1/impact")
@documented(query=ImpactQuery, caller=api_actor, answers={200: Impact},
            refusals=(403, 404, 422, 429))
def get_impact(caller: User, query: ImpactQuery):
    """The month's impact: totals, by type, by site, by batch (API.md)."""
    month = parse_month(query.month)
    org = scope_for(caller, query.org)
    return jsonify(monthly_impact(get_session(), month, org))


def _download_actor() -> User | None:
    """A bearer token or the session; None when a browser must log in first."""
    if request.headers.get("Authorization") or current_user.is_authenticated:
        return api_actor()
    return None


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store"}


def _file_name(kind: str, month: str, org: str | None, ext: str) -> str:
    return f"{kind}-{month}{'-' + org if org else ''}.{ext}"


@bp.get("/exports/impact/<month>.<fmt>")
@documented(query=ExportQuery, path={"month": MonthInPath, "fmt": Format},
            answers={200: REPORT_FILES, 302: LOG_IN_FIRST}, refusals=(403, 404, 422, 429))
def export_report(month: str, fmt: str, query: ExportQuery):
    """The monthly impact report as CSV (a zip of one table per file), XLSX or PDF (same
    totals as /api/v1/impact)."""
    actor = _download_actor()
    if actor is None:
        return login_manager.unauthorized()
    if fmt not in FORMATS:
        raise NotFound(_l("Format inconnu « %(fmt)s » : csv, xlsx ou pdf.", fmt=fmt[:10]))
    month = parse_month(month)
    org = scope_for(actor, query.org)
    report = build_monthly_report(get_session(), month, org,
                                  network_name=current_app.config.get("NETWORK_NAME",
                                                                      "Bouteilles"))
    return Response(render(report, fmt), mimetype=FORMATS[fmt].split(";")[0],
                    headers=_attachment(_file_name("impact", month, org, EXTENSIONS[fmt])))


@bp.get("/exports/epcis/<month>.jsonld")
@documented(query=ExportQuery, path={"month": MonthInPath},
            answers={200: EPCIS_FILE, 302: LOG_IN_FIRST}, refusals=(403, 404, 422, 429))
def export_epcis(month: str, query: ExportQuery):
    """The month's events as an EPCIS 2.0 JSON-LD document, built whole, then sent."""
    actor = _download_actor()
    if actor is None:
        return login_manager.unauthorized()
    month = parse_month(month)
    org = scope_for(actor, query.org)
    document, size = _spooled(export_epcis_month(get_read_session(), month, org_code=org,
                                                 base_url=current_app.config["BASE_URL"],
                                                 config=current_app.config))
    response = Response(document, mimetype="application/ld+json", direct_passthrough=True,
                        headers=_attachment(_file_name("epcis", month, org, "jsonld")))
    response.content_length = size
    return response


def _spooled(chunks: Iterable[str]) -> tuple[FileWrapper, int]:
    """The whole document written out before its first byte is sent, and its size.

    A failure half-way is then an error answer, not a truncated download that
    looks complete. Past SPOOL_IN_MEMORY the spool is a temporary file: a
    network's month is hundreds of megabytes, and memory stays flat.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    try:
        for chunk in chunks:
            spool.write(chunk.encode())
    except BaseException:
        spool.close()
        close = getattr(chunks, "close", None)
        if close is not None:  # a generator's open database cursor is closed now, not at GC
            close()
        raise
    size = spool.tell()
    spool.seek(0)
    reader = FileWrapper(spool, SPOOL_READ_BYTES)  # closes the spool when the server is done
    weakref.finalize(reader, spool.close)  # and when a client never reads the answer
    return reader, size


# ------------------------------------------------------------------ dashboards


def _chart(series: list[dict]) -> str:
    """Twelve bars of kg CO₂e avoided; the year is written under the first bar and January."""
    bars = [Bar(month_name(p["month"], "abbr"),
                (Decimal(p["co2e_avoided_g"]) / 1000).quantize(Decimal("0.1"), ROUND_HALF_UP),
                ngettext("%(month)s : %(kg)s kg CO₂e évités, %(count)s contenant réemployé",
                         "%(month)s : %(kg)s kg CO₂e évités, %(count)s contenants réemployés",
                         p["containers_reused"], month=month_name(p["month"]),
                         kg=kilograms(p["co2e_avoided_g"]),
                         count=number(p["containers_reused"])),
                year=p["month"][:4] if i == 0 or p["month"].endswith("-01") else "")
            for i, p in enumerate(series)]
    return bar_chart(
        bars, chart_id="chart-12", number=number, unit="kg CO₂e",
        title=gettext("CO₂e évité par mois, en kg, sur douze mois"),
        description=gettext("Diagramme en barres ; les valeurs sont dans le tableau qui suit."))


@bp.get("/dashboard")
@login_required
def dashboard():
    """Headline impact figures of a month, the last twelve months, breakdowns, downloads."""
    db = get_session()
    coordinator = access.may(current_user, "oversee_network")
    error, status = None, 200
    try:
        month = parse_month(request.args.get("month"))
        org = scope_for(current_user, request.args.get("org") or None) if coordinator \
            else current_user.org.code
    except BouteillesError as exc:
        error, status = str(exc), 422
        month, org = current_month(), None if coordinator else current_user.org.code
    impact = monthly_impact(db, month, org)
    series = twelve_months(db, month, org)
    org_row = get_org(db, org) if org else None
    held = sum(r["held_cents"] for r in deposit_rows(
        db, org_id=org_row.id if org_row and org_row.kind != "coordinator" else None))
    orgs = db.execute(select(Organisation.code, Organisation.name)
                      .order_by(Organisation.name)).all() if coordinator else []
    rate = (Decimal(impact["containers_rejected"]) / impact["inputs"]
            if impact["inputs"] else None)
    adjustments = [{**a, "corrected_at": datetime.fromisoformat(a["corrected_at"])}
                   for a in impact["adjustments"]]
    through = date.fromisoformat(impact["through"]) if impact["through"] else None
    return render_template(
        "impact/dashboard.html", impact=impact, adjustments=adjustments, series=series,
        period=period_label(month, through), through=through,
        chart=_chart(series),
        month=month, org=org, org_row=org_row, orgs=orgs, coordinator=coordinator,
        held_cents=held, reject_rate=rate, formats=list(FORMATS), error=error,
    ), status
