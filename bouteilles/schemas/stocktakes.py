"""Stock counts (inventaire): a site's stock of a type, counted against the record."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..models import STOCKTAKE_STATUSES
from ..services.stocktakes import MAX_CODES, MAX_QUANTITY
from .base import Count, Input, Output, Text
from .items import OrgCode, TypeCode

Moment = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class NewStocktake(Input):
    """The codes counted at a site (scanned or typed; each counted once), and/or a
    number of unlabelled ones (crates, bags)."""

    site: OrgCode
    type: TypeCode
    codes: list[Text(200)] = Field([], description=(
        f"The codes counted there (a code or its label's URL); at most {MAX_CODES:,}: "
        "more is a 422. An empty list counts an empty shelf."))
    quantity: Count(0, MAX_QUANTITY) | None = Field(None, description=(
        "Unlabelled ones counted, against the quantities of the site's crates."))


class StocktakeReport(Output):
    """A count's figures: what the record says the site holds of that type (its
    containers in a state of stock: not `in_use`, with a customer), against the
    codes counted there."""

    id: int
    site: str
    type: str
    counted_at: Moment
    status: Literal[STOCKTAKE_STATUSES] = Field(description=(
        "`to_review` while a line waits for the coordination."))
    expected: int
    found: int
    missing: list[str] = Field(description="Expected there, not counted.")
    unexpected: list[str] = Field(description=(
        "Counted there, the record says otherwise (elsewhere, not in stock, unknown)."))
    moved: list[str] = Field(description=(
        "Unexpected ones brought to the site (a `deliver` flagged `found_in_count`)."))
    expected_quantity: int
    counted_quantity: int | None
