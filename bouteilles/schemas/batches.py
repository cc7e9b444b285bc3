"""Washing batches: opened, fed, closed (a washing line's own software logs them)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from ..i18n import N_
from ..services.impact.figures import TRANSPORT_MODES
from ..services.washing.batches import MAX_COUNT
from ..services.washing.corrections import MAX_REASON
from ..vocabulary import REJECT_REASONS
from .base import Count, Input, Measure, Output, Text
from .items import OrgCode, TypeCode

MAX_CODES = 20_000
MAX_CLOSE_COUNT = 10_000_000
Reason = Literal[REJECT_REASONS]


class NewBatch(Input):
    """A batch for one container type at a washing site."""

    type: TypeCode
    site: OrgCode | None = Field(None, description="Default: the caller's site.")


class BatchInputs(Input):
    """Scanned codes and/or a counted quantity: at least one code or a count above 0."""

    model_config = {"json_schema_extra": {"anyOf": [
        {"required": ["codes"], "properties": {"codes": {"minItems": 1}}},
        {"required": ["count"], "properties": {"count": {"minimum": 1}}}]}}

    codes: list[Text(200)] = Field([], max_length=MAX_CODES, description=(
        "Codes scanned into the batch (each a `wash` scan)."))
    count: Count(0, MAX_COUNT) | None = Field(None, description=(
        "Counted, unlabelled inputs; above the app's MAX_BATCH_INPUT (default 100,000) "
        "a typing slip: 422."))

    MESSAGES: ClassVar = {("codes_or_count", ""): N_("Donnez des « codes » et/ou un « count ».")}

    @model_validator(mode="after")
    def codes_or_count(self) -> BatchInputs:
        if not self.codes and not self.count:
            raise PydanticCustomError("codes_or_count", "codes and/or a count")
        return self


class TransportLeg(Input):
    km: Measure()
    mode: Literal[TRANSPORT_MODES]


class BatchClose(Input):
    """The close: clean and rejected counts (their sum is the batch's inputs), and
    the metered resources its impact counts."""

    clean: Count(0, MAX_CLOSE_COUNT)
    rejected: dict[Reason, Count(0, MAX_CLOSE_COUNT)] | Count(0, MAX_CLOSE_COUNT) = Field(
        {}, description="Rejects by reason; a bare number counts as `other`.")
    water_l: Measure() | None = None
    electricity_kwh: Measure() | None = None
    energy_kwh: Measure() | None = Field(None, description="`electricity_kwh`'s older name.")
    gas_kwh: Measure() | None = None
    transport: list[TransportLeg] = Field([], max_length=100)
    hours_worked: Measure() | None = Field(None, description=(
        "Hours worked on the batch (sorting, washing, control), for the report's jobs."))
    insertion_hours: Measure() | None = Field(None, description=(
        "Of `hours_worked`, the hours by people in an insertion programme."))

    def rejects(self) -> dict[str, int]:
        """Rejects by reason."""
        return self.rejected if isinstance(self.rejected, dict) else {"other": self.rejected}


class BatchCorrection(Input):
    """A closed batch's counts corrected: clean + rejected must still be its inputs.
    By the batch's washing site within 7 days of the close, or a coordination
    administrator; the difference counts in the month the correction is made."""

    clean: Count(0, MAX_CLOSE_COUNT)
    rejected: dict[Reason, Count(0, MAX_CLOSE_COUNT)] | Count(0, MAX_CLOSE_COUNT) = Field(
        {}, description="Rejects by reason after the correction; a bare number counts as "
                        "`other`.")
    reason: Text(MAX_REASON, description="Why the counts are corrected.")

    def rejects(self) -> dict[str, int]:
        """Rejects by reason."""
        return self.rejected if isinstance(self.rejected, dict) else {"other": self.rejected}


class BatchImpact(Output):
    co2e_avoided_g: int
    co2e_process_g: int
    waste_avoided_g: int
    to_recycling_g: int
    factor_set: str | None


class Batch(Output):
    """A washing batch; the close's figures once it is closed."""

    id: int
    code: str
    status: Literal["open", "closed"]
    type: str
    site: str
    inputs: int
    counted_inputs: int
    opened_at: str = Field(json_schema_extra={"format": "date-time"})
    clean: int | None = None
    rejected: dict[str, int] | None = None
    rejected_total: int | None = None
    closed_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    impact: BatchImpact | None = None
    corrections: int | None = Field(None, description=(
        "How many times the closed batch was corrected; its counts and impact are the "
        "corrected ones."))


class ImpactDelta(Output):
    """The impact after a correction minus the impact before it, in grams."""

    co2e_avoided_g: int
    co2e_process_g: int
    waste_avoided_g: int
    to_recycling_g: int


class CorrectionRecord(Output):
    id: int
    made_at: str = Field(json_schema_extra={"format": "date-time"})
    made_by: str | None
    reason: str
    clean_before: int
    rejected_before: int
    clean_after: int
    rejected_after: int


class BatchCorrected(Output):
    """A correction just recorded: the batch as it now stands, its impact, the difference."""

    batch: Batch
    impact: BatchImpact
    impact_delta: ImpactDelta
    correction: CorrectionRecord

