"""A scan as the API takes it (`POST /scans`, each of `POST /scans/batch`), and the answers.

A scan's fields depend on its action: the life cycle's table of fields
(`lifecycle.FIELDS`) makes one model per action (`to` only where the action
takes a destination, `reason` required where it is), joined on `action`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import pydantic
from flask_babel import lazy_gettext as _l
from pydantic import Field, WithJsonSchema, create_model

from ..i18n import N_
from ..services import lifecycle
from ..services.errors import FieldError, InvalidInput
from ..vocabulary import REJECT_REASONS, STATES
from .base import Count, Input, Moment, Output, Text, field_errors
from .status import Error

MAX_BATCH_SCANS = 1000
# An undo's key is kept apart from the scans' (`movements.submit_once`: "undo:" + key).
UNDO_KEY_LENGTH = 90
Action = Literal[lifecycle.SCAN_ACTIONS]
Reason = Literal[REJECT_REASONS]
Destination = Text(64, description="The code of the organisation the thing goes to.")
DESTINATIONS = " or ".join(sorted(lifecycle.DESTINATION_ACTIONS))


class ScanFields(Input):
    """What any scan may carry (the life cycle then says what its action takes)."""

    code: Text(200, description="The code on the label, or the URL the label carries.")
    action: Action
    idempotency_key: Text(100, description=(
        "Chosen by the phone, one per scan: the same key again answers 200 with the "
        "first answer, and records nothing twice."))
    occurred_at: Moment | None = Field(None, description=(
        "When the scan was made (default: now); 10 minutes ahead to 90 days back."))
    to: Destination | None = Field(None, description=f"Only with {DESTINATIONS}.")
    reason: Reason | None = None
    quantity: Count(0, 10_000_000, description="A crate's count, as found.") | None = None
    batch: Text(32, description="The washing batch a `wash` joins (default: the open "
                                "batch of the site for the type).") | None = None

    def fields(self) -> dict:
        """The scan as `scans.scan_for_api` takes it."""
        return {"code": self.code, "action": self.action, "occurred_at": self.occurred_at,
                "to": self.to, "reason": self.reason, "quantity": self.quantity,
                "batch": self.batch}


def _variant(action: str) -> type[ScanFields]:
    """The scan of one action: `to` and `reason` as the life cycle says."""
    takes = {"required": ..., "optional": None}
    to_rule, reason_rule = (lifecycle.field_rule(action, f) for f in ("to", "reason"))
    to: Any = (None, Field(None, description=f"Refused: only {DESTINATIONS} take `to`."))
    if to_rule is not None:
        to = (Destination if to_rule == "required" else Destination | None, takes[to_rule])
    reason: Any = (Reason if reason_rule == "required" else Reason | None, takes[reason_rule])
    name = "Scan" + action.title().replace("_", "")
    return create_model(name, __base__=ScanFields, __doc__=f"A `{action}` scan.",
                        action=(Literal[action], ...), to=to, reason=reason)


class Scan(pydantic.RootModel):
    """One scan: its fields depend on its action."""

    root: Annotated[Union[tuple(_variant(a) for a in lifecycle.SCAN_ACTIONS)],  # noqa: UP007
                    Field(discriminator="action")]


MESSAGES = {
    ("literal_error", "action"): N_("Action inconnue « %(input)s ». Actions possibles : "
                                    "%(expected)s."),
    ("model_attributes_type", ""): N_("Un scan est un objet JSON."),
    ("model_type", ""): N_("Un scan est un objet JSON."),
    # `to` on an action that takes none: the refusal of services/movements/scans.check_scan.
    ("none_required", "to"): N_("« to » (l'organisation destinataire) ne va qu'avec "
                                "%(actions)s, pas avec « %(action)s » : retirez-le."),
}


def read_scan(data: object) -> ScanFields:
    """`data` as a scan of its action; or InvalidInput listing every fault."""
    try:
        return Scan.model_validate(data).root
    except pydantic.ValidationError as exc:
        raise InvalidInput(_faults(exc, data)) from None


def _faults(exc: pydantic.ValidationError, data: object) -> list[FieldError]:
    if any(f["type"].startswith("union_tag") for f in exc.errors(include_url=False)):
        try:  # no action to go by: every field as any scan has it
            ScanFields.model_validate(data)
        except pydantic.ValidationError as every:
            return field_errors(every, messages=MESSAGES)
    if not isinstance(data, dict):
        return field_errors(exc, messages=MESSAGES)
    # A variant's faults are located under its tag: ("lend", "to").
    return field_errors(exc, skip=1, messages=MESSAGES,
                        params={"actions": _either(sorted(lifecycle.DESTINATION_ACTIONS)),
                                "action": data["action"]})


def _either(actions: list[str]) -> object:
    """« a », « b » ou « c », in the reader's language."""
    *others, last = [f"« {action} »" for action in actions]
    return _l("%(others)s ou %(last)s", others=", ".join(others), last=last)


class ScanBatch(Input):
    """A phone's offline queue: each scan is read and answered on its own."""

    scans: list[Annotated[Any, WithJsonSchema({"anyOf": [
        {"$ref": "#/components/schemas/Scan"}, {}]})]] = Field(
        max_length=MAX_BATCH_SCANS, description=(
            "Scans as `POST /scans` takes them; one that is not well formed gets its own "
            "422 in `results`, the others are recorded."))


class Event(Output):
    """One entry of the log."""

    id: int
    action: str
    code: str
    org: str = Field(description="The organisation that recorded it.")
    holder: str = Field(description="Who holds the thing after it.")
    from_state: Literal[STATES] | None
    to_state: Literal[STATES] | None
    quantity: int
    quantity_delta: int
    reason: str | None
    anomaly: str | None = Field(description="A skipped step the scan revealed, e.g. "
                                            "`skipped_lend`; null when none.")
    occurred_at: str = Field(json_schema_extra={"format": "date-time"})
    recorded_at: str = Field(json_schema_extra={"format": "date-time"})
    undoes: int | None = Field(None, description="An `undo`: the id of the event it undoes.")


class Item(Output):
    """A labelled container or a counted crate."""

    code: str
    kind: Literal["container", "crate"]
    type: str
    type_name: str
    family: str
    state: Literal[STATES]
    holder: str
    holder_name: str
    owner: str = Field(description="The organisation that owns it (usually the "
                                   "cooperative; changed by a transfer).")
    cycles: int
    quantity: int
    deposit_cents: int
    deposit_held_cents: int
    reject_reason: str | None
    batch: str | None
    updated_at: str = Field(json_schema_extra={"format": "date-time"})


class BottleModel(Output):
    """The bottle model of a type (services/bottle_models.py)."""

    code: str
    name: str
    mould_ref: str | None
    colour: str = Field(description="Glass colour: `extra_flint`, `flint`, `dead_leaf`, "
                                    "`green`, `antique_green`, `amber` or `other`.")
    volume_ml: int
    mass_g: int = Field(description="The glassworks' glass mass; the impact reads the "
                                    "type's.")
    glassworks: str | None


class ItemDetail(Item):
    """An item with its history and what the caller may do to it."""

    model: BottleModel | None = Field(None, description="The type's bottle model; null for "
                                                          "a type without one (boxes).")

    actions: list[str]
    suggested: str | None
    history: list[Event] = Field(description="Empty when `history_hidden`.")
    history_hidden: bool = Field(description="Only the coordination and the members "
                                             "that had the thing read its history.")


class DepositMove(Output):
    kind: str
    amount_cents: int
    org: str | None


class ScanAnswer(Output):
    """A recorded scan: the event, the thing after it, the deposit it moved."""

    event: Event
    item: Item
    deposit: DepositMove | None


class Undo(Input):
    """Undo an item's latest event (`POST /events/<id>/undo`)."""

    idempotency_key: Text(UNDO_KEY_LENGTH, description=(
        "Chosen by the client: the same key again answers 200 with the first answer."))
    reason: Text(200, description="Why (kept with the undo; a coordinator's "
                                  "correction should say).") | None = None


class UndoAnswer(ScanAnswer):
    """The undo's event (`action` "undo", `undoes` the event's id), the item as it is
    now, and the deposit the undo moved: a lend's deposit given back (`cancelled`), a
    refund taken again (`reopened`), a forfeit reinstated."""


class ScanResult(Output):
    idempotency_key: Any = Field(description="The scan's key as sent (null if none).")
    status: int = Field(description="What `POST /scans` would have answered.")
    body: dict = Field(description="The scan's answer or its error.")


class ScanBatchAnswer(Output):
    results: list[ScanResult]


class ScanReplay(pydantic.RootModel):
    """The answer first given under this idempotency key, as it was: a recorded scan,
    or the refusal (403, 404, 409) it got."""

    root: ScanAnswer | Error
