"""EPCIS 2.0 JSON-LD export of the event log.

Input: plain event dicts (`EventDict`), so the module needs no database.
Names (services/exports/epcis_names.py): an object is its label's GS1 Digital Link
when GS1 is configured, else its QR URL `{base_url}/q/{code}`; a crate is an object
carrying a counted `quantityList` of `{base_url}/class/{type}`; places and parties
are organisations (their GLN's Digital Link, else `{base_url}/org/{code}`); our
vocabulary is `{base_url}/voc/` (`bou:`). Every one resolves (routes/master_data.py).

Life cycle → CBV (ObjectEvent; action OBSERVE unless noted; "state" = the
disposition of the state reached, STATE_DISPOSITIONS):

    commission   ADD  commissioning        active (a crate starting dirty: its state)
    deliver           shipping             in_transit, then receiving (below)
    lend              retail_selling       bou:in_use (lent against a deposit)
    fill              bou:filling          bou:in_use
    return            receiving            returned
    collect           collecting           in_transit, then receiving (below)
    sort              inspecting           conformant | damaged (broken, chipped)
                                           | non_conformant (other reasons)
    wash              bou:washing          in_progress
    reject            destroying           destroyed (glass goes to recycling)
    lose / find       bou:declaring_lost / bou:declaring_found   bou:lost / state
    relabel           bou:relabelling      (no disposition: the state is unchanged;
                                            bou:replaces names the old label's URI)
    transfer          bou:transferring     (no disposition: the state is unchanged;
                                            source and destination `owning_party`: the
                                            owners before and after)
    batch_close  TransformationEvent, bou:washing, available: inputs = all washed,
                 outputs = the clean ones; rejects are consumed, by reason in bou:rejected.
                 An emptied crate: ObjectEvent bou:washing, available.

A deliver or collect is one scan but two EPCIS events: the shipping or collecting
where the thing was picked up, then its receiving at the new holder (eventID
`…/events/N#receiving`): available when clean, in_progress when dirty at a washing
site, returned when dirty elsewhere; none when the new holder is a collector (its
van: the thing is in transit). A crate commissioned with counted contents is also
packed (AggregationEvent ADD, bizStep packing, parentID the crate, `#packing`); a
crate washed is unpacked first (DELETE, unpacking, `#unpacking`). readPoint and
bizLocation are the place where the thing is: the previous holder for a pick-up,
the holder for reject, loss, find and relabel, else the scanning organisation. A
commission names the owner (destination `owning_party`), a transfer the owners
before and after (source and destination `owning_party`, and no possessing party:
the holder does not change).

CBV has no washing, filling or loss step, hence `bou:` URIs (EPCIS 2.0 allows
any URI). Extensions: bou:batch, bou:reason, bou:anomaly, bou:type, bou:rejected.

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
from typing import Any
from zoneinfo import ZoneInfo

from .epcis_names import Names, Uris
from .epcis_types import Contents, ErrorDeclaration, EventDict

__all__ = ["Contents", "ErrorDeclaration", "EventDict", "Names", "build_epcis_document",
           "epcis_event", "epcis_events", "stream_epcis_document"]

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
LOCAL_TZ = ZoneInfo("Europe/Paris")
DAMAGE_REASONS = frozenset({"broken", "chipped"})

# action → (EPCIS action, bizStep, disposition); "bou:" is expanded to our vocabulary URI.
# An empty disposition is the state's (STATE_DISPOSITIONS).
OBJECT_EVENTS: dict[str, tuple[str, str, str]] = {
    "commission": ("ADD", "commissioning", ""),
    "deliver": ("OBSERVE", "shipping", "in_transit"),
    "lend": ("OBSERVE", "retail_selling", "bou:in_use"),
    "fill": ("OBSERVE", "bou:filling", "bou:in_use"),
    "return": ("OBSERVE", "receiving", "returned"),
    "collect": ("OBSERVE", "collecting", "in_transit"),
    "sort": ("OBSERVE", "inspecting", "conformant"),
    "wash": ("OBSERVE", "bou:washing", "in_progress"),
    "reject": ("OBSERVE", "destroying", "destroyed"),
    "lose": ("OBSERVE", "bou:declaring_lost", "bou:lost"),
    "find": ("OBSERVE", "bou:declaring_found", ""),
    "relabel": ("OBSERVE", "bou:relabelling", ""),
    "transfer": ("OBSERVE", "bou:transferring", ""),
    "batch_close": ("OBSERVE", "bou:washing", "available"),  # an emptied crate
}
# What a thing in a state is, as a CBV disposition (a commission starts it "active").
STATE_DISPOSITIONS = {
    "clean": "available", "in_use": "bou:in_use", "returned": "returned",
    "collected": "in_progress", "sorted": "conformant", "washing": "in_progress",
    "rejected": "destroyed", "lost": "bou:lost",
}
# After a deliver or collect, the destination receives (unless the destination is a
# van: a collector's stock is in transit).
MOVES = ("deliver", "collect")
IN_TRANSIT_AT = "collector"
BATCH_CLOSE = ("batch_close", "close")
EXTENSIONS = (("batch", "bou:batch"), ("reason", "bou:reason"), ("anomaly", "bou:anomaly"))


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


def _error_declaration(declared: Mapping[str, Any], uris: Uris) -> dict[str, Any]:
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


def _what(event: Mapping[str, Any], uris: Uris) -> dict[str, Any]:
    """epcList: the labelled container, or the crate (with its counted contents)."""
    code = event.get("code")
    if not code:
        raise ValueError(f"event {event.get('id')}: a '{event['action']}' event needs a code")
    kind = event.get("kind", "container")
    out: dict[str, Any] = {"epcList": [uris.item(code, kind, event["type"])]}
    if kind == "crate" and event.get("quantity"):
        out["quantityList"] = [{"epcClass": uris.epc_class(event["type"]),
                                "quantity": event["quantity"]}]
    return out


def _contents(contents: Contents | None, type_code: str, uris: Uris) -> dict[str, list]:
    """EPC list and quantity list of a batch's inputs or outputs."""
    contents = contents or {}
    codes = [uris.item(c, "container", type_code)
             for c in dict.fromkeys(contents.get("codes") or [])]
    quantity = contents.get("quantity") or 0
    qty = [{"epcClass": uris.epc_class(type_code), "quantity": quantity}] if quantity else []
    return {"epcs": codes, "quantities": qty}


def _holder(event: Mapping[str, Any]) -> str:
    return event.get("to_org") or event["org"]


def _place(event: Mapping[str, Any]) -> str:
    """Where the move happened: where a thing was picked up (collect, deliver), where it
    is (reject, lose, find, relabel: recorded by whoever), else where it was scanned."""
    name = event["action"]
    if name in MOVES:
        return event.get("from_org") or _holder(event)
    if name in ("reject", "lose", "find", "relabel", "transfer", "batch_close"):
        return _holder(event)
    return event["org"]


def _disposition(event: Mapping[str, Any], uris: Uris, default: str | None) -> str | None:
    name, state = event["action"], event.get("to_state")
    if name == "sort" and state == "rejected":
        return "damaged" if event.get("reason") in DAMAGE_REASONS else "non_conformant"
    if default is not None or name in ("relabel", "transfer"):
        return default
    if name == "commission" and state in (None, "clean"):
        return "active"
    return uris.term(STATE_DISPOSITIONS[state]) if state in STATE_DISPOSITIONS else None


def _header(kind: str, event: Mapping[str, Any], uris: Uris, part: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, **_time_fields(event)}
    out["eventID"] = uris.event_id(event["id"], part)
    if declared := event.get("error_declaration"):
        out["errorDeclaration"] = _error_declaration(declared, uris)
    return out


def _extensions(out: dict[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    out["bou:type"] = event["type"]
    for field, key in EXTENSIONS:
        if value := event.get(field):
            out[key] = value
    return out


def _object_event(event: Mapping[str, Any], uris: Uris) -> dict[str, Any]:
    """An ObjectEvent for one scan."""
    name = event["action"]
    if name not in OBJECT_EVENTS:
        raise ValueError(f"event {event.get('id')}: no EPCIS mapping for action {name!r}")
    action, biz_step, disposition = uris.steps[name]
    out = _header("ObjectEvent", event, uris)
    out.update(_what(event, uris))
    out["action"] = action
    out["bizStep"] = biz_step
    if (disposition := _disposition(event, uris, disposition)) is not None:
        out["disposition"] = disposition
    out["readPoint"] = out["bizLocation"] = {"id": uris.place(_place(event))}
    if name == "transfer":
        _owning_parties(out, event, uris)
    else:
        if source := event.get("from_org"):
            out["sourceList"] = [{"type": "possessing_party", "source": uris.party(source)}]
        destinations = []
        if destination := event.get("to_org"):
            destinations.append({"type": "possessing_party",
                                 "destination": uris.party(destination)})
        if name == "commission" and (owner := event.get("owner")):
            destinations.append({"type": "owning_party", "destination": uris.party(owner)})
        if destinations:
            out["destinationList"] = destinations
    _extensions(out, event)
    if old_code := event.get("replaces"):
        out["bou:replaces"] = uris.item(old_code, event.get("kind", "container"), event["type"])
    return out


def _owning_parties(out: dict[str, Any], event: Mapping[str, Any], uris: Uris) -> None:
    """A transfer's source and destination: the owners before and after (the holder
    does not change, so no possessing party is named)."""
    if before := event.get("from_owner"):
        out["sourceList"] = [{"type": "owning_party", "source": uris.party(before)}]
    if owner := event.get("owner"):
        out["destinationList"] = [{"type": "owning_party", "destination": uris.party(owner)}]


def _receiving_event(event: Mapping[str, Any], uris: Uris) -> dict[str, Any] | None:
    """The destination's receipt of a delivered or collected thing (None: still in a van)."""
    if event["action"] not in MOVES or event.get("holder_kind") == IN_TRANSIT_AT:
        return None
    state, holder = event.get("to_state"), _holder(event)
    if event["action"] == "collect" and event.get("holder_kind") is None and not event.get(
            "to_org"):
        return None  # collected by whoever scanned, kind unknown: no receipt to state
    if state == "clean":
        disposition = "available"
    elif event.get("holder_kind") == "washing_site":
        disposition = "in_progress"
    else:
        disposition = "returned"
    out = _header("ObjectEvent", event, uris, "receiving")
    out.update(_what(event, uris))
    out.update(action="OBSERVE", bizStep="receiving", disposition=disposition)
    out["readPoint"] = out["bizLocation"] = {"id": uris.place(holder)}
    if source := event.get("from_org"):
        out["sourceList"] = [{"type": "possessing_party", "source": uris.party(source)}]
    out["destinationList"] = [{"type": "possessing_party", "destination": uris.party(holder)}]
    return _extensions(out, event)


def _aggregation_event(event: Mapping[str, Any], uris: Uris) -> dict[str, Any] | None:
    """A crate filled with counted objects (its commission: ADD, packing), or emptied
    into a washing batch (its wash: DELETE, unpacking)."""
    name, quantity = event["action"], event.get("quantity")
    if event.get("kind") != "crate" or not quantity or name not in ("commission", "wash"):
        return None
    adding = name == "commission"
    part = "packing" if adding else "unpacking"
    out = _header("AggregationEvent", event, uris, part)
    out["parentID"] = uris.item(event["code"], "crate", event["type"])
    out["childEPCs"] = []
    out["childQuantityList"] = [{"epcClass": uris.epc_class(event["type"]), "quantity": quantity}]
    out.update(action="ADD" if adding else "DELETE", bizStep=part)
    out["readPoint"] = out["bizLocation"] = {"id": uris.place(_place(event))}
    return _extensions(out, event)


def _transformation_event(event: Mapping[str, Any], uris: Uris) -> dict[str, Any]:
    """A TransformationEvent for a closed washing batch."""
    batch = event.get("batch")
    if not batch:
        raise ValueError(f"event {event.get('id')}: a batch_close event needs the batch code")
    inputs = _contents(event.get("inputs"), event["type"], uris)
    outputs = _contents(event.get("outputs"), event["type"], uris)
    if not (inputs["epcs"] or inputs["quantities"]):
        raise ValueError(f"batch {batch}: a closed batch needs inputs")
    out = _header("TransformationEvent", event, uris)
    for side, lists in (("input", inputs), ("output", outputs)):
        if lists["epcs"]:
            out[f"{side}EPCList"] = lists["epcs"]
        if lists["quantities"]:
            out[f"{side}QuantityList"] = lists["quantities"]
    out["transformationID"] = f"{uris.base}/batches/{batch}"
    out.update(bizStep=uris.term("bou:washing"), disposition="available")
    out["readPoint"] = out["bizLocation"] = {"id": uris.place(event["org"])}
    out.update({"bou:type": event["type"], "bou:batch": batch})
    rejected = {k: v for k, v in (event.get("rejected") or {}).items() if v}
    if rejected:
        out["bou:rejected"] = rejected
    return out


def epcis_event(event: Mapping[str, Any], *, base_url: str,
                names: Names | None = None) -> dict[str, Any]:
    """Map one event dict to its main EPCIS 2.0 event (without @context)."""
    return _epcis_event(event, _uris(base_url, names))


def epcis_events(event: Mapping[str, Any], *, base_url: str,
                 names: Names | None = None) -> list[dict[str, Any]]:
    """Map one event dict to its EPCIS 2.0 events: the move, then what it implies (a
    crate packed or unpacked, a receipt at the destination)."""
    return _epcis_events(event, _uris(base_url, names))


def _uris(base_url: str, names: Names | None) -> Uris:
    uris = Uris(base_url, names)
    # Expanded once per document, not once per event (a month is ~10^6 events).
    uris.steps = {name: (action, uris.term(biz_step),
                         uris.term(disposition) if disposition else None)
                  for name, (action, biz_step, disposition) in OBJECT_EVENTS.items()}
    return uris


def _epcis_event(event: Mapping[str, Any], uris: Uris) -> dict[str, Any]:
    if event["action"] in BATCH_CLOSE and event.get("kind") != "crate":
        return _transformation_event(event, uris)
    return _object_event(event, uris)


def _epcis_events(event: Mapping[str, Any], uris: Uris) -> list[dict[str, Any]]:
    main = _epcis_event(event, uris)
    if event.get("error_declaration"):
        return [main]  # a declaration repeats the event as it was recorded, alone
    found = [main]
    if event["action"] in MOVES:
        received = _receiving_event(event, uris)
        if received is not None:
            found.append(received)
    elif event.get("kind") == "crate":
        aggregation = _aggregation_event(event, uris)
        if aggregation is not None:  # packed after its commission, unpacked before its wash
            found.insert(1 if event["action"] == "commission" else 0, aggregation)
    return found


def build_epcis_document(
    events: Iterable[Mapping[str, Any]],
    *,
    base_url: str,
    created_at: datetime | None = None,
    sender: str | None = None,
    names: Names | None = None,
) -> dict[str, Any]:
    """Build an EPCISDocument (JSON-LD, EPCIS 2.0) from event dicts, in the given order."""
    uris = _uris(base_url, names)
    created = (created_at or datetime.now(UTC)).astimezone(UTC)
    document: dict[str, Any] = {
        "@context": [EPCIS_CONTEXT, {"bou": uris.voc}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created.isoformat(timespec="milliseconds"),
    }
    if sender:
        document["sender"] = sender
    document["epcisBody"] = {"eventList": [out for e in events for out in _epcis_events(e, uris)]}
    return document


def stream_epcis_document(
    events: Iterable[Mapping[str, Any]],
    *,
    base_url: str,
    created_at: datetime | None = None,
    sender: str | None = None,
    names: Names | None = None,
) -> Iterator[str]:
    """The same document as JSON text in chunks, one event at a time (for large months)."""
    head = build_epcis_document([], base_url=base_url, created_at=created_at, sender=sender)
    text = json.dumps(head, ensure_ascii=False)
    opening, closing = text.rsplit("[]", 1)
    yield opening + "["
    uris = _uris(base_url, names)
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode  # = json.dumps
    first = True
    for event in events:
        for out in _epcis_events(event, uris):
            yield ("" if first else ",") + encode(out)
            first = False
    yield "]" + closing
