"""Settlements between members: a month's netted settlements, marked paid or not."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from ..models import PAYMENT_METHODS
from .base import MONTH_PATTERN, MONTH_REFUSED, Filter, Input, Output, Text

DAY_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
Method = Literal[PAYMENT_METHODS]


class SettlementsQuery(Input):
    MESSAGES: ClassVar = {("string_pattern_mismatch", "month"): MONTH_REFUSED}

    month: str = Field("", pattern=f"{MONTH_PATTERN}|^$", max_length=7, description=(
        "YYYY-MM (2000 to 2099); empty: the last month that has ended (Paris time)."))
    org: Filter(64, description="A member's code (members: their own; the coordination: "
                                "one of its scope); empty: the caller's own, or the "
                                "coordination's scope.") = ""


class Gross(Output):
    """Both directions before netting."""

    from_to_cents: int = Field(description="Deposits `from` took that `to` refunded.")
    to_from_cents: int = Field(description="Deposits `to` took that `from` refunded.")


class Paid(Output):
    """The live mark of payment."""

    amount_cents: int = Field(description="The netted amount when it was marked paid.")
    paid_on: str = Field(json_schema_extra={"format": "date"})
    method: Method
    reference: str | None
    by: str = Field(description="The organisation whose user marked it.")
    recorded_at: str = Field(json_schema_extra={"format": "date-time"})


class SettlementLine(Output):
    """What `from` owes `to` for the month, netted: the one who owes more pays the
    difference (a pair that cancels out is left out, unless a mark of payment names it)."""

    month: str
    from_: str = Field(alias="from")
    to: str
    amount_cents: int
    gross: Gross
    paid: Paid | None
    remaining_cents: int = Field(description=(
        "amount_cents less what was marked paid; below zero: more was paid than is now "
        "owed (an undo since)."))


class SettlementsAnswer(Output):
    month: str
    in_progress: bool = Field(description="The month has not ended: amounts may change and "
                                          "cannot be marked paid yet.")
    rows: list[SettlementLine]


class MarkPaid(Input):
    MESSAGES: ClassVar = {("string_pattern_mismatch", "month"): MONTH_REFUSED}

    month: str = Field(pattern=MONTH_PATTERN, max_length=7, description=(
        "YYYY-MM: a month that has ended."))
    from_: Text(64, description="The member that pays (its code).") = Field(alias="from")
    to: Text(64, description="The member paid (its code).")
    method: Method
    paid_on: str = Field(pattern=DAY_PATTERN, max_length=10, description=(
        "YYYY-MM-DD: not before the month, not in the future."))
    reference: Text(200, description="A cheque number, a transfer's label…") | None = None


class CancelMark(Input):
    MESSAGES: ClassVar = {("string_pattern_mismatch", "month"): MONTH_REFUSED}

    month: str = Field(pattern=MONTH_PATTERN, max_length=7)
    from_: Text(64) = Field(alias="from")
    to: Text(64)
