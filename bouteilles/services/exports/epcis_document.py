"""EPCIS 2.0 JSON-LD export of the event log.

Input: plain event dicts (`EventDict`), so the module needs no database.
Identifiers: a labelled container is `{base_url}/q/{code}` (its QR URL); a
counted crate is a `quantityList` entry with `epcClass` `{base_url}/class/{type}`
(the crate's own URI in `bou:crate`); organisations are `{base_url}/org/{code}`
(read point, location, parties); our vocabulary is `{base_url}/voc/` (`bou:`).

Life cycle → CBV (ObjectEvent; action OBSERVE unless noted):

    commission   ADD  commissioning        active
    deliver           shipping             in_transit (destination: possessing party)
    lend              retail_selling       bou:in_use (lent against a deposit)
    fill              bou:filling          bou:in_use
    return            receiving            returned
    collect           collecting           in_transit
    sort              inspecting           conformant | damaged (broken, chipped)
                                           | non_conformant (other reasons)
    wash              bou:washing          in_progress
    reject            destroying           destroyed (glass goes to recycling)
    lose / find       bou:declaring_lost / bou:declaring_found   bou:lost / active
    relabel           bou:relabelling      (no disposition: the state is unchanged;
                                            bou:replaces names the old label's URI)
    batch_close  TransformationEvent, bou:washing, available: inputs = all washed,
                 outputs = the clean ones; rejects are consumed, by reason in bou:rejected.

CBV has no washing, filling or loss step, hence `bou:` URIs (EPCIS 2.0 allows
any URI). Extensions: bou:batch, bou:reason, bou:anomaly, bou:crate, bou:type,
bou:rejected.

Corrections (EPCIS 2.0 §7.4.1.2): an event with `error_declaration` is the
erroneous event repeated as it was (same eventID, eventTime, contents) with
`errorDeclaration` {declarationTime, reason, correctiveEventIDs}. A batch
correction declares the statement of the batch it corrects (the close, or the
previous correction) with reason `incorrect_data` and names its corrective
event: the batch's TransformationEvent again, with the corrected outputs and
rejects, recorded when the correction was made (`bou:note`: the reason given).
An undone event is declared with reason `did_not_occur` and no corrective
event: the undo puts the object back as it was (`bou:undo`: the undo's URI).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
LOCAL_TZ = ZoneInfo("Europe/Paris")
DAMAGE_REASONS = frozenset({"broken", "chipped"})

# action → (EPCIS action, bizStep, disposition); "bou:" is expanded to our vocabulary URI.
OBJECT_EVENTS: dict[str, tuple[str, str, str]] = {
    "commission": ("ADD", "commissioning", "active"),
    "deliver": ("OBSERVE", "shipping", "in_transit"),
    "lend": ("OBSERVE", "retail_selling", "bou:in_use"),
    "fill": ("OBSERVE", "bou:filling", "bou:in_use"),
    "return": ("OBSERVE", "receiving", "returned"),
    "collect": ("OBSERVE", "collecting", "in_transit"),
    "sort": ("OBSERVE", "inspecting", "conformant"),
    "wash": ("OBSERVE", "bou:washing", "in_progress"),
    "reject": ("OBSERVE", "destroying", "destroyed"),
    "lose": ("OBSERVE", "bou:declaring_lost", "bou:lost"),
    "find": ("OBSERVE", "bou:declaring_found", "active"),
    "relabel": ("OBSERVE", "bou:relabelling", ""),
}
BATCH_CLOSE = ("batch_close", "close")
EXTENSIONS = (("batch", "bou:batch"), ("reason", "bou:reason"), ("anomaly", "bou:anomaly"))


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


class _Uris:
    """URI builders for one deployment's base URL."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.voc = f"{self.base}/voc/"
        # Expanded once per document, not once per event (a month is ~10^6 events).
        self.steps = {name: (action, self.term(biz_step),
                             self.term(disposition) if disposition else None)
                      for name, (action, biz_step, disposition) in OBJECT_EVENTS.items()}

    def item(self, code: str) -> str:
        return f"{self.base}/q/{code}"

    def epc_class(self, type_code: str) -> str:
        return f"{self.base}/class/{type_code}"

    def org(self, code: str) -> str:
        return f"{self.base}/org/{code}"

    def term(self, value: str) -> str:
        return self.voc + value[4:] if value.startswith("bou:") else value

    def event_id(self, value: str | int) -> str:
        if type(value) is int:  # a logged event's id
            return f"{self.base}/events/{value}"
        text = str(value)
        if len(text) == 36 and text.count("-") == 4:
            return f"urn:uuid:{text.lower()}"
        return f"{self.base}/events/{text}"


def _time_fields(event: Mapping[str, Any]) -> dict[str, str]:
    """eventTime in local (Paris) time with its offset, and recordTime in UTC."""
    occurred = event["occurred_at"]
    if not isinstance(occurred, datetime) or occurred.tzinfo is None:
        raise ValueError(f"event {event.get('id')}: occurred_at must be a timezone-aware datetime")
    # isoformat(sep, timespec) positionally: keywords cost a third of the call, per event.
    stamp = occurred.astimezone(LOCAL_TZ).isoformat("T", "milliseconds")
    fields = {"eventTime": stamp, "eventTimeZoneOffset": stamp[-6:]}
    recorded = event.get("recorded_at")
    if recorded is not None:
        fields["recordTime"] = recorded.astimezone(UTC).isoformat("T", "milliseconds")
    return fields


def _error_declaration(declared: Mapping[str, Any], uris: _Uris) -> dict[str, Any]:
    """EPCIS's errorDeclaration of an event recorded in error."""
    out: dict[str, Any] = {
        "declarationTime": declared["declared_at"].astimezone(UTC).isoformat("T", "milliseconds"),
        "reason": declared["reason"],
    }
    if declared.get("corrective_ids"):
        out["correctiveEventIDs"] = [uris.event_id(i) for i in declared["corrective_ids"]]
    if declared.get("note"):
        out["bou:note"] = declared["note"]
    if declared.get("undo") is not None:
        out["bou:undo"] = uris.event_id(declared["undo"])
    return out


def _what(event: Mapping[str, Any], uris: _Uris) -> dict[str, Any]:
    """epcList for a labelled container, quantityList (+ bou:crate) for a counted crate."""
    code = event.get("code")
    if not code:
        raise ValueError(f"event {event.get('id')}: a '{event['action']}' event needs a code")
    if event.get("kind", "container") == "crate":
        entry = {"epcClass": uris.epc_class(event["type"]), "quantity": event.get("quantity") or 0}
        return {"quantityList": [entry], "bou:crate": uris.item(code)}
    return {"epcList": [uris.item(code)]}


def _contents(contents: Contents | None, type_code: str, uris: _Uris) -> dict[str, list]:
    """EPC list and quantity list of a batch's inputs or outputs."""
    contents = contents or {}
    codes = [uris.item(c) for c in dict.fromkeys(contents.get("codes") or [])]
    quantity = contents.get("quantity") or 0
    qty = [{"epcClass": uris.epc_class(type_code), "quantity": quantity}] if quantity else []
    return {"epcs": codes, "quantities": qty}


def _object_event(event: Mapping[str, Any], uris: _Uris) -> dict[str, Any]:
    """An ObjectEvent for one scan."""
    name = event["action"]
    if name not in uris.steps:
        raise ValueError(f"event {event.get('id')}: no EPCIS mapping for action {name!r}")
    action, biz_step, disposition = uris.steps[name]
    if name == "sort" and event.get("to_state") == "rejected":
        disposition = "damaged" if event.get("reason") in DAMAGE_REASONS else "non_conformant"
    out: dict[str, Any] = {"type": "ObjectEvent", **_time_fields(event)}
    out["eventID"] = uris.event_id(event["id"])
    if declared := event.get("error_declaration"):
        out["errorDeclaration"] = _error_declaration(declared, uris)
    out.update(_what(event, uris))
    out["action"] = action
    out["bizStep"] = biz_step
    if disposition is not None:
        out["disposition"] = disposition
    read_point = uris.org(event["org"])
    out["readPoint"] = {"id": read_point}
    holder = event.get("to_org") if name in ("deliver", "collect") else None
    out["bizLocation"] = {"id": uris.org(holder) if holder else read_point}
    if source := event.get("from_org"):
        out["sourceList"] = [{"type": "possessing_party", "source": uris.org(source)}]
    if destination := event.get("to_org"):
        out["destinationList"] = [{"type": "possessing_party",
                                   "destination": uris.org(destination)}]
    out["bou:type"] = event["type"]
    for field, key in EXTENSIONS:
        if value := event.get(field):
            out[key] = value
    if old_code := event.get("replaces"):
        out["bou:replaces"] = uris.item(old_code)
    return out


def _transformation_event(event: Mapping[str, Any], uris: _Uris) -> dict[str, Any]:
    """A TransformationEvent for a closed washing batch."""
    batch = event.get("batch")
    if not batch:
        raise ValueError(f"event {event.get('id')}: a batch_close event needs the batch code")
    inputs = _contents(event.get("inputs"), event["type"], uris)
    outputs = _contents(event.get("outputs"), event["type"], uris)
    if not (inputs["epcs"] or inputs["quantities"]):
        raise ValueError(f"batch {batch}: a closed batch needs inputs")
    out: dict[str, Any] = {"type": "TransformationEvent", **_time_fields(event)}
    out["eventID"] = uris.event_id(event["id"])
    if declared := event.get("error_declaration"):
        out["errorDeclaration"] = _error_declaration(declared, uris)
    for side, lists in (("input", inputs), ("output", outputs)):
        if lists["epcs"]:
            out[f"{side}EPCList"] = lists["epcs"]
        if lists["quantities"]:
            out[f"{side}QuantityList"] = lists["quantities"]
    out["transformationID"] = f"{uris.base}/batches/{batch}"
    out.update(bizStep=uris.term("bou:washing"), disposition="available")
    out["readPoint"] = out["bizLocation"] = {"id": uris.org(event["org"])}
    out.update({"bou:type": event["type"], "bou:batch": batch})
    rejected = {k: v for k, v in (event.get("rejected") or {}).items() if v}
    if rejected:
        out["bou:rejected"] = rejected
    return out


def epcis_event(event: Mapping[str, Any], *, base_url: str) -> dict[str, Any]:
    """Map one event dict to an EPCIS 2.0 event (without @context)."""
    return _epcis_event(event, _Uris(base_url))


def _epcis_event(event: Mapping[str, Any], uris: _Uris) -> dict[str, Any]:
    if event["action"] in BATCH_CLOSE:
        return _transformation_event(event, uris)
    return _object_event(event, uris)


def build_epcis_document(
    events: Iterable[Mapping[str, Any]],
    *,
    base_url: str,
    created_at: datetime | None = None,
    sender: str | None = None,
) -> dict[str, Any]:
    """Build an EPCISDocument (JSON-LD, EPCIS 2.0) from event dicts, in the given order."""
    uris = _Uris(base_url)
    created = (created_at or datetime.now(UTC)).astimezone(UTC)
    document: dict[str, Any] = {
        "@context": [EPCIS_CONTEXT, {"bou": uris.voc}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created.isoformat(timespec="milliseconds"),
    }
    if sender:
        document["sender"] = sender
    document["epcisBody"] = {"eventList": [_epcis_event(e, uris) for e in events]}
    return document


def stream_epcis_document(
    events: Iterable[Mapping[str, Any]],
    *,
    base_url: str,
    created_at: datetime | None = None,
    sender: str | None = None,
) -> Iterator[str]:
    """The same document as JSON text in chunks, one event at a time (for large months)."""
    head = build_epcis_document([], base_url=base_url, created_at=created_at, sender=sender)
    text = json.dumps(head, ensure_ascii=False)
    opening, closing = text.rsplit("[]", 1)
    yield opening + "["
    uris = _Uris(base_url)
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode  # = json.dumps
    for i, event in enumerate(events):
        body = encode(_epcis_event(event, uris))
        yield ("," if i else "") + body
    yield "]" + closing
