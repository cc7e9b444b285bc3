"""The event dicts the EPCIS exporter reads (services/exports/epcis_document.py)."""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict


class Contents(TypedDict, total=False):
    """Batch inputs or outputs: labelled codes and/or a counted quantity."""

    codes: list[str]
    quantity: int


class ErrorDeclaration(TypedDict):
    """The event it is attached to was recorded in error."""

    declared_at: datetime  # timezone-aware
    reason: str  # "incorrect_data" or "did_not_occur" (CBV error reasons)
    corrective_ids: NotRequired[list[str | int]]  # the events that correct it
    note: NotRequired[str | None]  # why, in the member's words
    undo: NotRequired[int | None]  # the logged undo event that undid it


class EventDict(TypedDict):
    """One logged event, as the exporter reads it."""

    id: str | int  # a UUID → urn:uuid:…, anything else → {base_url}/events/{id}
    action: str  # a scan action, or "batch_close"
    occurred_at: datetime  # timezone-aware
    org: str  # organisation where it was recorded
    type: str  # container type code
    code: NotRequired[str | None]  # label code (not for batch_close)
    kind: NotRequired[str]  # "container" (default) or "crate"
    quantity: NotRequired[int | None]  # crate quantity
    from_state: NotRequired[str | None]
    to_state: NotRequired[str | None]
    to_org: NotRequired[str | None]  # destination (deliver, collect)
    from_org: NotRequired[str | None]  # previous holder
    recorded_at: NotRequired[datetime | None]
    reason: NotRequired[str | None]
    anomaly: NotRequired[str | None]
    batch: NotRequired[str | None]  # batch code (wash, batch_close)
    replaces: NotRequired[str | None]  # relabel: the old label's code
    inputs: NotRequired[Contents]  # batch_close
    outputs: NotRequired[Contents]  # batch_close: the clean ones
    rejected: NotRequired[dict[str, int]]  # batch_close: count by reason
    error_declaration: NotRequired[ErrorDeclaration]  # this event was recorded in error
    holder_kind: NotRequired[str | None]  # the kind of the holder after the move
    owner: NotRequired[str | None]  # commission, transfer: the owning organisation (after)
    from_owner: NotRequired[str | None]  # transfer: the owning organisation before
