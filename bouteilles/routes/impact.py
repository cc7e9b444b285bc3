"""Impact: the JSON figures, the monthly report and EPCIS downloads, the dashboards.

Who sees what: the coordination sees what it coordinates (a territory's, its
territory; the national one, the network and any territory with `?territory=`)
and any member of it (`?org=`; another territory's → 403); everyone else sees
their own organisation only (another `org`, a `territory` → 403). The national
coordination's dashboard compares the territories side by side.
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
from ..reports.svg_chart import Bar, bar_chart, hbar_chart
from ..schemas.reports import (
    EPCIS_FILE,
    LOG_IN_FIRST,
    REPORT_FILES,
    ComparisonQuery,
    ExportQuery,
    Format,
    Impact,
    ImpactQuery,
    MonthInPath,
    TerritoryComparison,
)
from ..services import access, periods
from ..services.deposits import PARIS, deposit_rows
from ..services.errors import BouteillesError, Forbidden, NotFound
from ..services.exports.epcis_month import export_epcis_month
from ..services.impact.comparison import compare_territories
from ..services.impact.figures import monthly_impact, twelve_months
from ..services.items.lookup import get_org
from ..services.territories import Scope, all_territories, scope_for_code, scope_of
from .openapi import documented

bp = Blueprint("impact", __name__)
SPOOL_IN_MEMORY, SPOOL_READ_BYTES = 8 << 20, 64 << 10


def current_month() -> str:
    """This month in Paris, as YYYY-MM."""
    return datetime.now(PARIS).strftime("%Y-%m")


def parse_month(text: str | None) -> str:
    """A YYYY-MM month (default: the current one in Paris), or 422."""
    return periods.parse_month(text) if text else current_month()


def scope_for(actor: User, org_code: str | None, territory: str | None = None
              ) -> tuple[str | None, Scope]:
    """The organisation whose figures the actor may read (None: all of the scope) and the
    territory (the scope): a coordination reads what it coordinates, a territory of it
    (`territory`: unknown → 404, another's → 403) and its members (another territory's
    → 403); any other member its own organisation only."""
    if access.may(actor, "oversee_network"):
        session = get_session()
        scope = scope_for_code(session, scope_of(actor.org), territory)
        if not org_code:
            return None, scope
        org = get_org(session, org_code)
        scope.require(org)
        return org.code, scope
    if territory or (org_code and org_code != actor.org.code):
        access.require(actor, "oversee_network")
    return actor.org.code, Scope.WHOLE


@bp.get("/api/v1/impact")
@documented(query=ImpactQuery, caller=api_actor, answers={200: Impact},
            refusals=(403, 404, 422, 429))
def get_impact(caller: User, query: ImpactQuery):
    """The month's impact: totals, by type, by site, by batch (API.md); a territory's
    (`territory`) are its washing sites' batches and what its members recorded."""
    month = parse_month(query.month)
    org, scope = scope_for(caller, query.org, query.territory)
    return jsonify(monthly_impact(get_session(), month, org, scope=scope))


@bp.get("/api/v1/territories")
@documented(query=ComparisonQuery, caller=api_actor, answers={200: TerritoryComparison},
            refusals=(403, 422, 429))
def get_territories(caller: User, query: ComparisonQuery):
    """The territories side by side for a month: members, lends, returns, return rate,
    batches, clean containers, CO₂e and waste avoided; each row is the figures of
    `GET /api/v1/impact?territory=`. The national coordination only."""
    _require_national(caller)
    compared = compare_territories(get_session(), parse_month(query.month))
    rows = {"rows": [_json(row) for row in compared["rows"]], "total": _json(compared["total"]),
            "none": _json(compared["none"]) if compared["none"] else None}
    return jsonify({**compared, **rows})


def _json(row: dict) -> dict:
    """A row's rate as a JSON number (a Decimal would be written as a string)."""
    rate = row["return_rate"]
    return {**row, "return_rate": None if rate is None else float(rate)}


def _require_national(actor: User) -> None:
    """Refuse (403) anyone but the coordination of the whole network."""
    access.require(actor, "oversee_network")
    if not scope_of(actor.org).whole:
        raise Forbidden(_l("Réservé à la coordination nationale."))


def _download_actor() -> User | None:
    """A bearer token or the session; None when a browser must log in first."""
    if request.headers.get("Authorization") or current_user.is_authenticated:
        return api_actor()
    return None


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store"}


def _file_name(kind: str, month: str, org: str | None, ext: str,
               scope: Scope = Scope.WHOLE) -> str:
    """'impact-2026-11.pdf', a territory's 'impact-2026-11-jura.pdf', a member's
    'impact-2026-11-resto.pdf'."""
    who = org or scope.territory_code
    return f"{kind}-{month}{'-' + who if who else ''}.{ext}"


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
    org, scope = scope_for(actor, query.org, query.territory)
    report = build_monthly_report(get_session(), month, org, scope=scope,
                                  network_name=current_app.config.get("NETWORK_NAME",
                                                                      "Bouteilles"))
    name = _file_name("impact", month, org, EXTENSIONS[fmt], scope)
    return Response(render(report, fmt), mimetype=FORMATS[fmt].split(";")[0],
                    headers=_attachment(name))


@bp.get("/exports/epcis/<month>.jsonld")
@documented(query=ExportQuery, path={"month": MonthInPath},
            answers={200: EPCIS_FILE, 302: LOG_IN_FIRST}, refusals=(403, 404, 422, 429))
def export_epcis(month: str, query: ExportQuery):
    """The month's events as an EPCIS 2.0 JSON-LD document, built whole, then sent."""
    actor = _download_actor()
    if actor is None:
        return login_manager.unauthorized()
    month = parse_month(month)
    org, scope = scope_for(actor, query.org, query.territory)
    document, size = _spooled(export_epcis_month(get_read_session(), month, org_code=org,
                                                 base_url=current_app.config["BASE_URL"],
                                                 config=current_app.config, scope=scope))
    response = Response(document, mimetype="application/ld+json", direct_passthrough=True,
                        headers=_attachment(_file_name("epcis", month, org, "jsonld", scope)))
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


def _comparison_chart(comparison: dict) -> str:
    """The territories' kg CO₂e avoided side by side, as horizontal bars."""
    lines = [*comparison["rows"], *([comparison["none"]] if comparison["none"] else [])]
    bars = [Bar(row["name"] or gettext("Sans territoire"),
                (Decimal(row["co2e_avoided_g"]) / 1000).quantize(Decimal("0.1"), ROUND_HALF_UP),
                gettext("%(territory)s : %(kg)s kg CO₂e évités",
                        territory=row["name"] or gettext("Sans territoire"),
                        kg=kilograms(row["co2e_avoided_g"])))
            for row in lines]
    return hbar_chart(
        bars, chart_id="chart-territories", number=number, unit="kg CO₂e",
        title=gettext("CO₂e évité dans le mois par territoire, en kg"),
        description=gettext("Diagramme en barres ; les valeurs sont dans le tableau qui "
                            "précède."))


def _dashboard_reading(db, coordinator: bool) -> tuple[str, str | None, Scope, str | None]:
    """The month, organisation and territory the dashboard shows, and the error that
    replaced a bad month or organisation (422). Another territory's member or
    territory is refused (403), an unknown territory is not found (404)."""
    args = request.args
    if not coordinator:  # a member's own figures, whatever the address says
        own = current_user.org.code
        try:
            return parse_month(args.get("month")), own, Scope.WHOLE, None
        except BouteillesError as exc:
            return current_month(), own, Scope.WHOLE, str(exc)
    scope = scope_for_code(db, scope_of(current_user.org), args.get("territory") or None)
    try:
        month = parse_month(args.get("month"))
        org = get_org(db, args["org"]) if args.get("org") else None
    except Forbidden:
        raise
    except BouteillesError as exc:
        return current_month(), None, scope, str(exc)
    if org is None:
        return month, None, scope, None
    scope.require(org)
    if org.kind == "coordinator":  # a coordination stands for what it coordinates
        return month, None, scope_of(org), None
    return month, org.code, scope, None


@bp.get("/dashboard")
@login_required
def dashboard():
    """Headline impact figures of a month, the last twelve months, breakdowns, downloads;
    for the national coordination, the territories side by side."""
    db = get_session()
    coordinator = access.may(current_user, "oversee_network")
    month, org, scope, error = _dashboard_reading(db, coordinator)
    status = 422 if error else 200
    impact = monthly_impact(db, month, org, scope=scope)
    series = twelve_months(db, month, org, scope=scope)
    org_row = get_org(db, org) if org else None
    member = org_row is not None and org_row.kind != "coordinator"
    held = sum(r["held_cents"] for r in deposit_rows(
        db, org_id=org_row.id if member else None, scope=scope))
    orgs = db.execute(select(Organisation.code, Organisation.name).where(scope.members())
                      .order_by(Organisation.name)).all() if coordinator else []
    national = coordinator and scope_of(current_user.org).whole
    territories = all_territories(db) if national else []
    comparison = compare_territories(db, month) \
        if territories and scope.whole and not org else None
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
        scope=scope, territories=territories,
        comparison=comparison,
        comparison_chart=_comparison_chart(comparison) if comparison else None,
    ), status
