"""The EPCIS export of the demo network as a GS1 repository reads it: each object named
once (its label's Digital Link), its last event stating where it really is."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from epcis_check import check_epcis
from sqlalchemy import select

from bouteilles.models import Container, Crate, Organisation
from bouteilles.services.exports.epcis_month import export_epcis_month
from bouteilles.services.labels.minting import target_url

from .conftest import months_of

BASE = "https://bouteilles.test"
GS1 = {"BASE_URL": BASE, "GS1_COMPANY_PREFIX": "3701234", "GS1_ASSET_TYPES": {}}
# What a repository may read last about an object in each state.
CONSUMED = "consumed"  # a batch's input that is not among its outputs
FITTING = {
    "clean": {"available", "active"},
    "in_use": {f"{BASE}/voc/in_use"},
    "returned": {"returned"},
    "sorted": {"conformant", "in_progress"},
    "washing": {"in_progress"},
    "rejected": {"destroyed", "damaged", "non_conformant", CONSUMED},
    "lost": {f"{BASE}/voc/lost"},
}
COLLECTED = {"collector": {"in_transit"}, "washing_site": {"in_progress"}}


def _export(session, config=GS1, *, check: bool = False) -> list[dict]:
    events = []
    for month in months_of(session):
        doc = json.loads("".join(export_epcis_month(session, month, base_url=BASE,
                                                    config=config)))
        if check:  # the schema, epcis2.js, and a hash for every event
            check_epcis(doc)
        events.extend(doc["epcisBody"]["eventList"])
    return events


def _last_dispositions(events: list[dict]) -> dict[str, str]:
    """Each object's last disposition, as a repository applying the error declarations
    reads it."""
    declared = {e["eventID"] for e in events if "errorDeclaration" in e}
    kept = [e for e in events if e["eventID"] not in declared]
    kept.sort(key=lambda e: datetime.fromisoformat(e["eventTime"]))  # stable: document order
    last: dict[str, str] = {}
    for event in kept:
        if event["type"] == "TransformationEvent":
            for uri in event.get("inputEPCList", []):
                last[uri] = CONSUMED
            for uri in event.get("outputEPCList", []):
                last[uri] = event["disposition"]
        elif "disposition" in event:
            for uri in event.get("epcList", []):
                last[uri] = event["disposition"]
    return last


def test_every_objects_last_event_says_where_it_is(demo):
    site = demo.scalar(select(Organisation).where(Organisation.kind == "washing_site"))
    site.gln = "3701234000008"
    demo.commit()
    events = _export(demo, check=True)
    assert events
    last = _last_dispositions(events)
    config = {**GS1, "BASE_URL": BASE}
    wrong, seen = [], set()
    for model in (Container, Crate):
        for item in demo.scalars(select(model)):
            uri = target_url(config, item.code, item.type, gs1=True, crate=model is Crate)
            assert uri.startswith(f"{BASE}/8003/0"), uri  # the label's Digital Link
            found = last.get(uri)
            fitting = FITTING.get(item.state) or COLLECTED.get(item.holder.kind, {"returned"})
            seen.add((item.state, item.holder.kind))
            if found not in fitting:
                wrong.append((item.code, model.__name__, item.state, item.holder.kind, found))
    assert not wrong, wrong[:10]
    # Delivered clean stock sitting at restaurants: the case that read "in transit".
    assert ("clean", "restaurant") in seen and len({state for state, _ in seen}) >= 4
    assert not any("/q/" in json.dumps(e) for e in events)  # one identifier per object
    places = {e["bizLocation"]["id"] for e in events if "bizLocation" in e}
    assert f"{BASE}/414/3701234000008" in places  # the site by its GLN
    assert not any(e.get("bizStep") == "receiving" and e.get("disposition") == "in_transit"
                   for e in events)


def test_without_a_prefix_objects_keep_their_qr_url(demo):
    events = _export(demo, config={"BASE_URL": BASE})
    uris = {uri for e in events for uri in e.get("epcList", [])}
    assert uris and all(uri.startswith(f"{BASE}/q/") for uri in uris)


def test_crates_are_packed_and_unpacked(demo):
    events = _export(demo)
    packed = [e for e in events if e["type"] == "AggregationEvent" and e["action"] == "ADD"]
    unpacked = [e for e in events if e["type"] == "AggregationEvent" and e["action"] == "DELETE"]
    assert packed and unpacked
    crate = unpacked[0]["parentID"]
    story = [e for e in events if crate in (e.get("parentID"), *e.get("epcList", []))]
    assert [e["bizStep"] for e in story][:2] == ["commissioning", "packing"]
    assert story[0]["destinationList"][-1]["type"] == "owning_party"
    assert packed[0]["childQuantityList"][0]["epcClass"].startswith(f"{BASE}/class/")
    assert all(datetime.fromisoformat(e["eventTime"]) < datetime.now(UTC) for e in story)
