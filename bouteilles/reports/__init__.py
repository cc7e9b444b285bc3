"""The monthly impact report: built from the month queries, rendered as CSV, XLSX or PDF."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import FactorSet, Organisation
from ..services.deposits import deposit_rows, month_bounds, settlements
from ..services.geography.loops import loops_between
from ..services.impact.figures import monthly_impact, twelve_months
from ..services.impact.issuer import get_issuer
from ..services.items.lookup import get_org
from ..services.territories import Scope, scope_of
from ..services.washing.batches import factor_set_in_force
from .model import (
    AdjustmentRow,
    BatchRow,
    BreakdownRow,
    Circulation,
    DepositRow,
    DepositsSummary,
    FactorRow,
    FactorSetInfo,
    ImpactFigures,
    Issuer,
    LongLoop,
    LoopCheck,
    MonthlyReport,
    MonthPoint,
    RejectRow,
    Sensitivity,
    Settlement,
    Work,
)

__all__ = ["EXTENSIONS", "FORMATS", "MonthlyReport", "build_monthly_report", "render"]

# Format → media type. "csv" is a zip of one CSV per table, for a French spreadsheet
# (reports/csv_report.py); its URL keeps the format's name, its file is a .zip.
FORMATS = {
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
EXTENSIONS = {"csv": "zip", "xlsx": "xlsx", "pdf": "pdf"}


def _decimal(value: float | int | None) -> Decimal | None:
    """A rate or hours sent as a JSON number, back to the Decimal it was."""
    return None if value is None else Decimal(str(value))


def _issuer(session: Session, network_name: str) -> Issuer:
    row = get_issuer(session)
    if row is None:
        return Issuer(network_name)
    return Issuer(row.name, row.address, row.siret, row.logo, row.logo_type)


def _loop_check(session: Session, month: str, scope: Scope) -> LoopCheck:
    """The month's loops past the network's limit, longest first (the method page)."""
    view = loops_between(session, *month_bounds(month), scope=scope)
    return LoopCheck(view.settings.loop_limit_km, view.settings.break_even_km,
                     len(view.over_limit), len(view.over_break_even), [
        LongLoop(loop.origin.name if loop.origin else "", loop.site.name,
                 loop.destination.name if loop.destination else "", loop.total.km,
                 loop.total.by_road, loop.over_break_even)
        for loop in view.over_limit if loop.total is not None])


def build_monthly_report(
    session: Session, month: str, org_code: str | None = None, *,
    scope: Scope = Scope.WHOLE, network_name: str = "Bouteilles",
    generated_at: datetime | None = None,
) -> MonthlyReport:
    """Gather a month's report from SQL aggregates (the same figures as GET /api/v1/impact):
    of the network, of the territory of `scope`, or of one organisation (a coordinator
    organisation: what it coordinates)."""
    impact = monthly_impact(session, month, org_code, scope=scope)
    issuer = _issuer(session, network_name)
    circulation, work = impact["circulation"], impact["work"]
    org = impact_org = None
    if org_code:
        org = get_org(session, org_code)
        impact_org = org.id if org.kind != "coordinator" else None
        scope = scope_of(org) if org.kind == "coordinator" else Scope.WHOLE
    codes = impact["factor_sets"]
    if codes:
        sets = session.scalars(select(FactorSet).where(FactorSet.code.in_(codes))
                               .options(selectinload(FactorSet.factors)).order_by(FactorSet.code))
    else:
        sets = [factor_set_in_force(session, month_bounds(month)[1])]
    # A territory's coordinator stands for its territory: the report is the territory's.
    named = None if org is None or (org.kind == "coordinator" and not scope.whole) else org
    dep_rows = deposit_rows(session, org_id=impact_org, month=month, scope=scope)
    settled = settlements(session, org_id=impact_org, month=month, scope=scope)
    orgs = {r["org"] for r in dep_rows} | {c for s in settled for c in (s["from"], s["to"])}
    names = {code: name for code, name in session.execute(
        select(Organisation.code, Organisation.name).where(Organisation.code.in_(sorted(orgs))))}
    return MonthlyReport(
        month=month,
        totals=ImpactFigures.from_mapping(impact),
        by_type=[BreakdownRow(r["type"], r["name"], ImpactFigures.from_mapping(r), r["family"])
                 for r in impact["by_type"]],
        by_site=[BreakdownRow(r["site"], r["name"], ImpactFigures.from_mapping(r))
                 for r in impact["by_site"]],
        by_batch=[BatchRow(b["code"], datetime.fromisoformat(b["closed_at"]), b["site"], b["type"],
                           b["factor_set"] or "", ImpactFigures.from_mapping(b),
                           b["site_name"], b["type_name"])
                  for b in impact["by_batch"]],
        adjustments=[AdjustmentRow(a["batch"], a["batch_month"],
                                   datetime.fromisoformat(a["corrected_at"]), a["site"],
                                   a["type"], a["factor_set"] or "", a["reason"],
                                   ImpactFigures.from_mapping(a), a["site_name"],
                                   a["type_name"])
                     for a in impact["adjustments"]],
        rejects=[RejectRow(r["reason"], r["count"], r["mass_g"]) for r in impact["rejects"]],
        series=[MonthPoint(p["month"], p["containers_reused"], p["co2e_avoided_g"],
                           p["waste_avoided_g"], p["co2e_process_g"])
                for p in twelve_months(session, month, org_code, scope=scope)],
        factor_sets=[FactorSetInfo(s.code, s.name, [FactorRow(f.key, f.value, f.unit, f.source,
                                                                       f.low, f.high)
                                                    for f in s.factors]) for s in sets],
        deposits=DepositsSummary(
            taken_cents=sum(r["taken_cents"] for r in dep_rows),
            refunded_cents=sum(r["refunded_cents"] for r in dep_rows),
            held_cents=sum(r["held_cents"] for r in dep_rows),
            rows=[DepositRow(r["org"], r["taken_cents"], r["refunded_cents"], r["held_cents"],
                             names.get(r["org"], ""))
                  for r in dep_rows],
            settlements=[Settlement(s["from"], s["to"], s["amount_cents"],
                                    names.get(s["from"], ""), names.get(s["to"], ""))
                         for s in settled],
        ),
        org=named.code if named else None,
        org_name=named.name if named else None,
        territory_name=impact["territory_name"],
        network_name=issuer.name,
        generated_at=generated_at or datetime.now(UTC),
        issuer=issuer,
        in_progress=impact["in_progress"],
        through=date.fromisoformat(impact["through"]) if impact["through"] else None,
        circulation=Circulation(
            circulation["lends"], circulation["returns"], circulation["lost"],
            _decimal(circulation["return_rate"]), _decimal(circulation["loss_rate"]),
            _decimal(circulation["reuses_per_container"]), circulation["deposits_held_cents"]),
        sensitivity=Sensitivity(**impact["sensitivity"]) if impact["sensitivity"] else None,
        work=Work(_decimal(work["hours_worked"]), _decimal(work["insertion_hours"]),
                  work["batches"], work["containers_reused"], _decimal(work["fte"]),
                  _decimal(work["jobs_per_million"]), _decimal(work["annual_hours"]),
                  *work["estimate"]),
        loops=_loop_check(session, month, scope),
    )


def render(report: MonthlyReport, fmt: str) -> bytes:
    """Render a report as 'csv', 'xlsx' or 'pdf'."""
    if fmt == "csv":
        from .csv_report import render_csv

        return render_csv(report)
    if fmt == "xlsx":
        from .xlsx_report import render_xlsx

        return render_xlsx(report)
    if fmt == "pdf":
        from .pdf_report import render_pdf

        return render_pdf(report)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
