"""Pickup requests ("bac plein"): a member asks to be collected; collectors read them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ..models import PICKUP_STATUSES
from ..services.pickups import MAX_NOTE
from .base import NO_NUL_PATTERN, Input, Output

Moment = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class NewPickup(Input):
    """A request to be collected, by a restaurant or a collection point (the body may
    be empty). While the member's request is open, asking again answers that one
    (200), its note replaced by the new one if given."""

    note: Annotated[str, StringConstraints(max_length=MAX_NOTE, pattern=NO_NUL_PATTERN)] \
        | None = Field(None, description="What to collect, when, where to ring…")


class Pickup(Output):
    """A pickup request."""

    id: int
    org: str = Field(description="The member asking to be collected (its code).")
    org_name: str
    status: Literal[PICKUP_STATUSES]
    requested_at: Moment
    note: str | None
    closed_at: Moment | None = Field(description=(
        "When a collection there closed it (`closed`) or the member withdrew it "
        "(`cancelled`)."))
    closed_by: str | None = Field(description="The organisation whose collection closed it.")


class PickupList(Output):
    """The requests of the members the caller's coordination sees: open ones first
    (the longest waiting first), then those closed or cancelled in the last 7 days."""

    rows: list[Pickup]
