"""What any operation may answer: a refusal; and the service's own health."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Output


class FieldFault(Output):
    field: str = Field(description="The field's path, dotted (`scans.2.code`); empty: the "
                                   "whole body.")
    message: str


class Refusal(Output):
    code: str = Field(description="`validation`, `unknown_code`, `not_found`, "
                                  "`invalid_transition`, `conflict`, `forbidden`, "
                                  "`unauthorized`, `too_large`, `rate_limited`…")
    message: str = Field(description="What the record shows and what to do, in the "
                                     "request's language.")
    details: list[FieldFault] | None = Field(None, description=(
        "With `validation`: every faulty field of the input at once."))


class Error(Output):
    """Every refusal has this shape."""

    error: Refusal


class Health(Output):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
