"""Containers and crates put into service, and the stock they make."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..services.movements import CRATE_START_STATES, MAX_COMMISSION, MAX_CRATE_QUANTITY
from ..vocabulary import STATES
from .base import Count, Filter, Input, Output, Text

TypeCode = Text(64, description="A container type's code, e.g. `bocal-500`.")
OrgCode = Text(64, description="An organisation's code, e.g. `resto-le-comptoir`.")


class NewContainers(Input):
    """Labelled containers to put into service, clean."""

    type: TypeCode
    count: Count(1, MAX_COMMISSION) | None = Field(None, description="Default 1.")
    holder: OrgCode | None = Field(None, description="Default: the caller's organisation.")


class NewContainersAnswer(Output):
    codes: list[str]
    crate: None


class NewCrate(Input):
    """A crate carrying a counted quantity of one type."""

    type: TypeCode
    quantity: Count(0, MAX_CRATE_QUANTITY)
    holder: OrgCode | None = Field(None, description="Default: the caller's organisation.")
    state: Literal[CRATE_START_STATES] | None = Field(None, description="Default `clean`.")


class NewCrateAnswer(Output):
    code: str
    quantity: int
    state: Literal[STATES]
    type: str
    holder: str


class StockQuery(Input):
    """Filters of the stock (empty: all)."""

    holder: Filter(64, description="An organisation's code (members: their own).") = ""
    type: Filter(64, description="A container type's code.") = ""
    state: Literal[("", *STATES)] = ""


class StockRow(Output):
    holder: str
    type: str
    state: Literal[STATES]
    count: int


class StockAnswer(Output):
    """Counts by holder, type and state: labelled containers plus crate quantities."""

    rows: list[StockRow]


class Relabel(Input):
    """A damaged label replaced by a new code."""

    new_code: Text(200, description="A code the network minted and nothing carries yet "
                                    "(default: one is minted).") | None = None


class RelabelAnswer(Output):
    code: str = Field(description="The object's code from now on.")
    replaces: str = Field(description="The code it carried; its scans are refused, "
                                      "naming the new one.")


class Transfer(Input):
    """A new owner for the object (`POST /items/<code>/transfer`)."""

    to: OrgCode = Field(description="The organisation that owns it from now on.")
    idempotency_key: Text(90, description=(
        "Chosen by the client: the same key again answers 200 with the first answer "
        "(default: none, every call transfers).")) | None = None


class TransferAnswer(Output):
    """The transfer's event (`action` "transfer": state and holder unchanged) and the
    item with its new `owner`."""

    event: dict
    item: dict
