"""Reuse Standard passports (reuse-standard.org): one object's, and a month's."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Output
from .reports import ImpactQuery

Uuid = Field(json_schema_extra={"format": "uuid"})
Moment = Field(json_schema_extra={"format": "date-time"})


class Location(Output):
    """Where an activity was tracked: the member holding the object after it."""

    name: str
    org_id: str = Field(description="The member's code.")


class PassportRecord(Output):
    """One activity the object passed through (the standard's passport_history)."""

    asset: str = Uuid
    activity: str = Uuid
    date: str = Moment
    location: Location
    record_id: str = Field(json_schema_extra={"format": "uuid"},
                           description="The event's stable UUID.")
    action: str
    code: str = Field(description="The code the object carried then.")


class Activity(Output):
    activity_id: str = Uuid
    activity_type: Literal["start_step", "step", "clean_step"]
    name: str
    next: list[str]


class Cycle(Output):
    """A reuse loop: its activities, linked as the life cycle links the actions."""

    cycle_id: str = Uuid
    name: str
    reuse_model: str
    activities: list[Activity]


class AssetType(Output):
    """A container type (`weight` in grams, `volume` in ml)."""

    asset_type_id: str = Uuid
    name: str
    cycle_id: list[str]
    sku: str
    reusable_asset_type: str
    weight: int
    volume: int | None = None
    tracker_type: str
    country_of_origin: str
    primary_material: str
    is_recycled: bool
    cleaning_method: str
    deposit_cents: int


class Publisher(Output):
    name: str
    org_id: str


class DateRange(Output):
    date_start: str = Moment
    date_end: str = Moment


class PassportLine(Output):
    """An object's passport, valid against the standard's passport.schema.json."""

    asset_id: str = Uuid
    asset_type: str = Uuid
    in_reuse: bool
    latest_activity: str | None = Field(None, json_schema_extra={"format": "uuid"})
    latest_activity_date: str | None = Field(None, json_schema_extra={"format": "date-time"})
    latest_activity_location: Location | None = None
    completed_cycle_count: int
    other_ref: str = Field(description="The object's code.")
    decommission_reason: str | None = Field(None, description=(
        "Out of reuse: the reject reason, or the state (`lost`, `rejected`)."))
    code: str
    kind: Literal["container", "crate"]
    url: str
    history_hidden: bool = Field(description="Only the coordination and the members that "
                                             "had the object read its history and latest "
                                             "activity.")
    passport_history: list[PassportRecord]
    date_range: DateRange | None = Field(None, description="In a month's export: the month.")


class Passport(PassportLine):
    """An object's passport with the definitions it names: valid against the standard's
    passport.schema.json and reuse.schema.json."""

    quantity: int | None = Field(None, description="A crate's count.")
    org: Publisher
    date: str = Moment
    cycles: list[Cycle]
    asset_types: list[AssetType]


class PassportsQuery(ImpactQuery):
    """A month and a scope, read as the impact figures read them."""


PASSPORT_LINES = {"application/x-ndjson": {
    "type": "string", "description": "JSON Lines: one passport (PassportLine) per line."}}
