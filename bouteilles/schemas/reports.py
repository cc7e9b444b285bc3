"""Money and impact: deposits, the month's figures, the monthly downloads."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ..reports import FORMATS
from .base import MONTH_PATTERN, MONTH_REFUSED, Filter, Input, Output

# maxLength too: Python's `$` also matches before a final newline, JSON Schema's does not.
Month = Field(pattern=MONTH_PATTERN, max_length=7, description="YYYY-MM, 2000 to 2099.")


class DepositsQuery(Input):
    MESSAGES: ClassVar = {("string_pattern_mismatch", "month"): MONTH_REFUSED}

    org: Filter(64, description="An organisation's code (members: their own).") = ""
    month: str = Field("", pattern=f"{MONTH_PATTERN}|^$", max_length=7, description=(
        "YYYY-MM (2000 to 2099); empty: every month."))


class DepositRow(Output):
    org: str
    taken_cents: int
    refunded_cents: int
    forfeited_cents: int
    held_cents: int


class GrossSettlement(Output):
    """Both directions of a pair before netting."""

    from_to_cents: int = Field(description="Deposits `from` took that `to` refunded.")
    to_from_cents: int = Field(description="Deposits `to` took that `from` refunded.")


class Settlement(Output):
    """What one organisation owes another, netted per pair: of the deposits each took
    that the other refunded, the one who owes more pays the difference (a pair whose
    amounts cancel out is left out)."""

    from_: str = Field(alias="from")
    to: str
    amount_cents: int
    gross: GrossSettlement


class DepositsAnswer(Output):
    rows: list[DepositRow]
    settlements: list[Settlement]


class ImpactQuery(Input):
    MESSAGES: ClassVar = {("string_pattern_mismatch", "month"): MONTH_REFUSED}

    month: str = Field("", pattern=f"{MONTH_PATTERN}|^$", max_length=7, description=(
        "YYYY-MM (2000 to 2099); empty: this month."))
    org: Filter(64, description="A member's code (members: their own); empty: the "
                                "caller's scope.") = ""
    territory: Filter(32, description=(
        "A territory's code: its figures (a territory's coordination: its own only; "
        "unknown: 404, another's: 403); empty: the caller's scope.")) = ""


class Figures(Output):
    batches: int
    inputs: int
    containers_reused: int
    containers_rejected: int
    co2e_avoided_g: int
    co2e_process_g: int
    waste_avoided_g: int
    to_recycling_g: int


class TypeFigures(Figures):
    type: str
    name: str
    family: str


class SiteFigures(Figures):
    site: str
    name: str


class BatchFigures(Figures):
    id: int
    code: str
    closed_at: str = Field(json_schema_extra={"format": "date-time"})
    site: str
    type: str
    factor_set: str | None


class AdjustmentFigures(Figures):
    """A correction of a batch closed in an earlier month (or earlier this month),
    counted in this one: the differences it made (`batches` and `inputs` are 0)."""

    id: int
    batch: str
    batch_month: str = Month
    batch_closed_at: str = Field(json_schema_extra={"format": "date-time"})
    corrected_at: str = Field(json_schema_extra={"format": "date-time"})
    reason: str
    site: str
    site_name: str
    type: str
    type_name: str
    family: str
    factor_set: str | None


class RejectFigures(Output):
    reason: str
    count: int
    mass_g: int


class Circulation(Output):
    """Lends, returns and losses of the month (recorded before its end), and deposits held."""

    lends: int
    returns: int
    lost: int
    return_rate: float | None = Field(description="returns ÷ lends of the month (0 to 1).")
    loss_rate: float | None = Field(description="lost ÷ lends of the month (0 to 1).")
    reuses_per_container: float | None = Field(description=(
        "The network's clean outputs since the start ÷ containers commissioned, at the "
        "month's end; null for one organisation."))
    deposits_held_cents: int = Field(description="Deposits held at the month's end.")


class Sensitivity(Output):
    """CO₂e and waste avoided with each ranged factor at the low, then high, end of its range."""

    co2e_avoided_low_g: int
    co2e_avoided_high_g: int
    waste_avoided_low_g: int
    waste_avoided_high_g: int


class Work(Output):
    """Hours worked on the month's batches that recorded them, and the jobs they make."""

    hours_worked: float
    insertion_hours: float = Field(description="Of them, by people in an insertion programme.")
    batches: int = Field(description="Batches of the month that recorded their hours.")
    containers_reused: int = Field(description="Those batches' clean outputs.")
    fte: float = Field(description="Full-time equivalents of the month: hours ÷ (1,607 ÷ 12).")
    jobs_per_million: float | None = Field(description=(
        "(hours ÷ 1,607) ÷ millions of those batches' clean outputs."))
    annual_hours: float = Field(description="1,607 h: the French legal annual working time.")
    estimate: list[int] = Field(description="The pilot's estimate: jobs per million bottles.")


class Impact(Figures):
    """A month's impact: the network's, a washing site's or a member's share."""

    in_progress: bool = Field(description="The month is the current one (Paris time).")
    through: str | None = Field(json_schema_extra={"format": "date"}, description=(
        "For the month in progress, the last day counted (today in Paris); else null."))
    circulation: Circulation
    sensitivity: Sensitivity | None = Field(description="Null for a member's share.")
    work: Work

    month: str = Month
    org: str | None
    scope: Literal["network", "territory", "site", "member"]
    territory: str | None = Field(description="The territory's code (scope `territory`).")
    territory_name: str | None
    by_type: list[TypeFigures]
    by_site: list[SiteFigures]
    by_batch: list[BatchFigures]
    adjustments: list[AdjustmentFigures] = Field(description=(
        "Corrections made this month of batches closed before: the month's totals, by "
        "type and by site include them; a month's figures never change once it has ended."))
    rejects: list[RejectFigures]
    factor_sets: list[str]


class ExportQuery(Input):
    org: Filter(64, description="A member's code (members: their own).") = ""
    territory: Filter(32, description="A territory's code (a territory's coordination: "
                                      "its own only).") = ""


class ComparisonQuery(Input):
    MESSAGES: ClassVar = {("string_pattern_mismatch", "month"): MONTH_REFUSED}

    month: str = Field("", pattern=f"{MONTH_PATTERN}|^$", max_length=7, description=(
        "YYYY-MM (2000 to 2099); empty: this month."))


class TerritoryFigures(Output):
    """One territory's month: its members (coordinations left out), the lends and
    returns they recorded, its washing sites' batches (with the month's corrections)."""

    territory: str | None = Field(description="Null: the members outside every territory, "
                                              "or the network's total.")
    name: str | None
    members: int
    lends: int
    returns: int
    return_rate: float | None = Field(description="returns ÷ lends of the month (0 to 1).")
    batches: int
    containers_reused: int
    co2e_avoided_g: int
    waste_avoided_g: int


class TerritoryComparison(Output):
    """The territories side by side for a month (the national coordination)."""

    month: str = Month
    rows: list[TerritoryFigures]
    none: TerritoryFigures | None = Field(description=(
        "The members outside every territory; null when they did nothing."))
    total: TerritoryFigures


# The downloads' path parameters and files.
MonthInPath = Annotated[str, Month]
Format = Literal[tuple(FORMATS)]
REPORT_FILES = {media.split(";")[0]: {"type": "string", "format": "binary"}
                for media in FORMATS.values()}
EPCIS_FILE = {"application/ld+json": {"type": "object", "description": "An EPCIS 2.0 document."}}
LOG_IN_FIRST = "Neither a token nor a session: a browser is sent to the login page."
