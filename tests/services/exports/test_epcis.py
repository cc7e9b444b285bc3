"""EPCIS 2.0 export: one event of each kind, validated against the GS1 JSON Schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from epcis_check import check_epcis, schema_validator, sdk_errors
from jsonschema import Draft7Validator

from bouteilles.services.exports.epcis_document import (
    build_epcis_document,
    epcis_event,
    epcis_events,
    stream_epcis_document,
)

BASE = "https://bouteilles.example"
T0 = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    found = schema_validator()
    if found is None:
        pytest.skip("EPCIS 2.0 JSON schema not found")
    return found


def ev(n: int, action: str, **fields) -> dict:
    """An event dict with sensible defaults."""
    base = {
        "id": n, "action": action, "occurred_at": T0 + timedelta(hours=n),
        "recorded_at": T0 + timedelta(hours=n, seconds=3), "org": "lavage-lons",
        "type": "bocal-500", "code": "K7QX2M9P", "kind": "container",
    }
    return base | fields


EVENTS = [
    ev(1, "commission", to_state="clean"),
    ev(2, "deliver", from_org="lavage-lons", to_org="resto-le-comptoir", to_state="clean"),
    ev(3, "lend", org="resto-le-comptoir", from_state="clean", to_state="in_use"),
    ev(4, "return", org="resto-chez-paul", to_state="returned", anomaly="skipped_lend"),
    ev(5, "collect", org="lavage-lons", from_org="resto-chez-paul", to_org="lavage-lons",
       to_state="collected", holder_kind="washing_site"),
    ev(6, "sort", to_state="sorted"),
    ev(7, "wash", to_state="washing", batch="B-2026-0042"),
    ev(8, "fill", org="domaine-rolet", type="bouteille-75", code="CR8TE5AB", kind="crate",
       quantity=480, to_state="in_use"),
    ev(9, "collect", org="cave-du-centre", type="bouteille-75", code="CR8TE5AB", kind="crate",
       quantity=480, to_org="lavage-lons"),
    ev(10, "sort", code="Z9Z9Z9Z9", to_state="rejected", reason="chipped"),
    ev(11, "sort", code="Y8Y8Y8Y8", to_state="rejected", reason="wrong_model"),
    ev(12, "reject", code="X7X7X7X7", to_state="rejected", reason="broken"),
    ev(13, "lose", org="coordination", to_state="lost"),
    ev(14, "find", org="coordination", to_state="in_use"),
    ev(15, "batch_close", code=None, batch="B-2026-0042", type="bocal-500",
       inputs={"codes": ["K7QX2M9P", "A1B2C3D4"], "quantity": 48},
       outputs={"codes": ["K7QX2M9P"], "quantity": 46}, rejected={"broken": 2, "chipped": 1}),
    ev(16, "batch_close", code=None, batch="B-2026-0043", type="bouteille-75",
       id="0f8fad5b-d9cb-469f-a165-70867728950e",
       inputs={"quantity": 1000}, outputs={"quantity": 970}, rejected={"broken": 30}),
]


def test_document_of_every_kind_is_valid_epcis_2(validator):
    doc = build_epcis_document(EVENTS, base_url=BASE + "/", sender="coordination")
    check_epcis(doc)  # the schema, epcis2.js, and a hash for every event
    events = doc["epcisBody"]["eventList"]
    assert len(events) == sum(len(epcis_events(e, base_url=BASE)) for e in EVENTS)
    for event in events:  # formats the validator cannot check without extra packages
        assert datetime.fromisoformat(event["eventTime"]).tzinfo is not None
        assert event["eventID"].startswith((BASE + "/events/", "urn:uuid:"))
        validator.validate({**event, "@context": doc["@context"]})  # also valid on its own
    json.dumps(doc)  # serialisable as is


def test_mapping_to_cbv(validator):
    doc = build_epcis_document(EVENTS, base_url=BASE)
    by_id = {e["eventID"].rsplit("/", 1)[-1]: e for e in doc["epcisBody"]["eventList"]}
    steps = {
        k: (e["type"], e.get("action"), e["bizStep"], e["disposition"]) for k, e in by_id.items()
    }
    assert steps["1"] == ("ObjectEvent", "ADD", "commissioning", "active")
    assert steps["2"] == ("ObjectEvent", "OBSERVE", "shipping", "in_transit")
    assert steps["3"][2:] == ("retail_selling", f"{BASE}/voc/in_use")
    assert steps["4"][2:] == ("receiving", "returned")
    assert steps["5"][2:] == ("collecting", "in_transit")
    assert steps["6"][2:] == ("inspecting", "conformant")
    assert steps["7"][2:] == (f"{BASE}/voc/washing", "in_progress")
    assert steps["10"][2:] == ("inspecting", "damaged")
    assert steps["11"][2:] == ("inspecting", "non_conformant")
    assert steps["12"][2:] == ("destroying", "destroyed")
    assert steps["13"][3] == f"{BASE}/voc/lost"
    assert by_id["1"]["epcList"] == [f"{BASE}/q/K7QX2M9P"]
    assert by_id["2"]["destinationList"] == [
        {"type": "possessing_party", "destination": f"{BASE}/org/resto-le-comptoir"}
    ]
    assert by_id["4"]["bou:anomaly"] == "skipped_lend"
    assert by_id["12"]["bou:reason"] == "broken"
    crate = by_id["9"]
    assert crate["epcList"] == [f"{BASE}/q/CR8TE5AB"]  # the crate, with what it carries
    assert crate["quantityList"] == [{"epcClass": f"{BASE}/class/bouteille-75", "quantity": 480}]
    # A delivery is shipped, then received where it goes.
    received = by_id["2#receiving"]
    assert (received["bizStep"], received["disposition"]) == ("receiving", "available")
    assert received["bizLocation"] == {"id": f"{BASE}/org/resto-le-comptoir"}
    assert by_id["2"]["bizLocation"] == {"id": f"{BASE}/org/lavage-lons"}
    # A collect happens where the thing was picked up, not at the collector's.
    assert by_id["5"]["readPoint"] == {"id": f"{BASE}/org/resto-chez-paul"}
    assert by_id["5#receiving"]["disposition"] == "in_progress"  # dirty, at the washing site
    # Event times are local (Paris, UTC+1 in March) with their offset.
    assert by_id["1"]["eventTime"] == "2026-03-05T11:30:00.000+01:00"
    assert by_id["1"]["eventTimeZoneOffset"] == "+01:00"
    assert by_id["1"]["recordTime"] == "2026-03-05T10:30:03.000+00:00"


def test_batch_close_is_a_transformation_event():
    doc = build_epcis_document(EVENTS[-2:], base_url=BASE)
    mixed, counted = doc["epcisBody"]["eventList"]
    assert mixed["type"] == "TransformationEvent"
    assert mixed["transformationID"] == f"{BASE}/batches/B-2026-0042"
    assert mixed["inputEPCList"] == [f"{BASE}/q/K7QX2M9P", f"{BASE}/q/A1B2C3D4"]
    assert mixed["inputQuantityList"] == [{"epcClass": f"{BASE}/class/bocal-500", "quantity": 48}]
    assert mixed["outputEPCList"] == [f"{BASE}/q/K7QX2M9P"]
    assert mixed["bou:rejected"] == {"broken": 2, "chipped": 1}
    assert counted["eventID"] == "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"
    assert counted["outputQuantityList"][0]["quantity"] == 970
    assert "inputEPCList" not in counted


def test_streamed_document_equals_built_document(validator):
    created = datetime(2026, 4, 1, tzinfo=UTC)
    built = build_epcis_document(EVENTS, base_url=BASE, created_at=created)
    streamed = json.loads("".join(stream_epcis_document(EVENTS, base_url=BASE, created_at=created)))
    assert streamed == built
    empty = json.loads("".join(stream_epcis_document([], base_url=BASE, created_at=created)))
    assert empty["epcisBody"]["eventList"] == []
    assert not list(validator.iter_errors(empty))


def test_validator_catches_a_non_uri_bizstep(validator):
    # Guards the test itself: with the format checker, a bare custom word is refused.
    doc = build_epcis_document(EVENTS[:1], base_url=BASE)
    doc["epcisBody"]["eventList"][0]["bizStep"] = "washing"
    assert list(validator.iter_errors(doc))
    assert "bizStep" in sdk_errors(doc)  # and so does epcis2.js
    doc["epcisBody"]["eventList"][0]["bizStep"] = "commissioning"
    doc["epcisBody"]["eventList"][0]["nope:term"] = 1
    assert "nope" in sdk_errors(doc)  # an extension the context does not declare


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (ev(1, "teleport"), "no EPCIS mapping"),
        (ev(1, "lend", code=None), "needs a code"),
        (ev(1, "lend", occurred_at=datetime(2026, 3, 5, 9, 30)), "timezone-aware"),
        (ev(1, "batch_close", batch=None), "needs the batch code"),
        (ev(1, "batch_close", batch="B-1", inputs={}), "needs inputs"),
    ],
)
def test_bad_events_are_refused(event, message):
    with pytest.raises(ValueError, match=message):
        epcis_event(event, base_url=BASE)


def test_a_month_of_the_database_exports_as_valid_epcis(session, actors, make_container,
                                                        make_crate, scan, validator):
    from bouteilles.services.exports.epcis_month import export_epcis_month, month_event_dicts
    from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch

    resto, site = actors["restaurant"], actors["washing_site"]
    boxes = [make_container("bocal-500", holder=resto.org) for _ in range(3)]
    crate = make_crate("bouteille-75", quantity=120, state="returned", holder=site.org)
    for code in boxes:
        scan(resto, code, "lend")
        scan(resto, code, "return")
        scan(site, code, "collect")
        scan(site, code, "sort")
    scan(site, boxes[2], "reject", reason="broken")
    batch = open_batch(session, actor=site, type_code="bocal-500")
    add_inputs(session, batch, actor=site, codes=boxes[:2], count=10)
    close_batch(session, batch, actor=site, clean=11, rejected={"chipped": 1})
    bottles = open_batch(session, actor=site, type_code="bouteille-75")
    scan(site, crate, "sort")
    add_inputs(session, bottles, actor=site, codes=[crate])
    close_batch(session, bottles, actor=site, clean=118, rejected={"broken": 2})
    session.flush()

    month = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    events = list(month_event_dicts(session, month))
    doc = json.loads("".join(export_epcis_month(session, month, base_url=BASE)))
    check_epcis(doc)
    body = doc["epcisBody"]["eventList"]
    assert len(body) == sum(len(epcis_events(e, base_url=BASE)) for e in events)
    steps = [e.get("bizStep") for e in body]
    assert "retail_selling" in steps and "receiving" in steps and "inspecting" in steps
    assert "destroying" in steps
    transformations = [e for e in body if e["type"] == "TransformationEvent"]
    assert len(transformations) == 2
    boxes_tf, bottles_tf = transformations
    assert boxes_tf["inputEPCList"] == [f"{BASE}/q/{c}" for c in boxes[:2]]
    assert boxes_tf["inputQuantityList"][0]["quantity"] == 10
    assert boxes_tf["outputEPCList"] == [f"{BASE}/q/{c}" for c in boxes[:2]]
    assert boxes_tf["outputQuantityList"][0]["quantity"] == 9
    assert boxes_tf["bou:rejected"] == {"chipped": 1}
    assert bottles_tf["inputQuantityList"] == [
        {"epcClass": f"{BASE}/class/bouteille-75", "quantity": 120}]
    assert "inputEPCList" not in bottles_tf
    times = [datetime.fromisoformat(e["eventTime"]) for e in body]
    assert times == sorted(times)
    own = list(month_event_dicts(session, month, resto.org.code))
    assert own and all(resto.org.code in (e["org"], e.get("to_org"), e.get("from_org"))
                       for e in own)


def test_batches_of_a_month_are_read_a_few_at_a_time(session, actors, make_container, scan,
                                                     monkeypatch):
    from bouteilles.services.exports import epcis_month as epcis_export
    from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch

    resto, site = actors["restaurant"], actors["washing_site"]
    boxes = [make_container("bocal-500", holder=resto.org) for _ in range(3)]
    for code in boxes:
        for user, action in ((resto, "lend"), (resto, "return"), (site, "collect"),
                             (site, "sort")):
            scan(user, code, action)
    for inputs, rejected in ((boxes[:1], {}), (boxes[1:], {"chipped": 1, "broken": 1}),
                             ([], {})):
        batch = open_batch(session, actor=site, type_code="bocal-500")
        add_inputs(session, batch, actor=site, codes=inputs, count=5)
        close_batch(session, batch, actor=site, rejected=rejected,
                    clean=len(inputs) + 5 - sum(rejected.values()))
    session.flush()

    month = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    whole = list(epcis_export.month_event_dicts(session, month))
    monkeypatch.setattr(epcis_export, "_BATCHES_PER_QUERY", 2)
    assert list(epcis_export.month_event_dicts(session, month)) == whole
    closes = [e for e in whole if e["action"] == "batch_close"]
    assert [c["inputs"] for c in closes] == [{"codes": boxes[:1], "quantity": 5},
                                             {"codes": boxes[1:], "quantity": 5},
                                             {"codes": [], "quantity": 5}]
    assert [c["outputs"] for c in closes] == [{"codes": boxes[:1], "quantity": 5},
                                              {"codes": boxes[1:], "quantity": 3},
                                              {"codes": [], "quantity": 5}]
    assert [list(c["rejected"].items()) for c in closes] == [
        [], [("broken", 1), ("chipped", 1)], []]  # by reason, as the batch page lists them
    washes = [e["batch"] for e in whole if e["action"] == "wash"]
    assert washes == [closes[0]["batch"], closes[1]["batch"], closes[1]["batch"]]
    collect = next(e for e in whole if e["action"] == "collect")
    assert collect == {
        "id": collect["id"], "action": "collect", "code": boxes[0], "kind": "container",
        "type": "bocal-500", "quantity": None, "from_state": "returned",
        "to_state": "collected", "org": site.org.code, "to_org": None,
        "from_org": resto.org.code, "occurred_at": collect["occurred_at"],
        "recorded_at": collect["recorded_at"], "reason": None, "anomaly": None, "batch": None,
        "replaces": None, "holder_kind": "washing_site", "owner": None}


def test_the_export_gives_the_planner_setting_back(session):
    from sqlalchemy import text

    from bouteilles.services.exports.epcis_month import month_event_dicts

    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the cursor is planned for every row on PostgreSQL only")
    session.execute(text("SET LOCAL cursor_tuple_fraction = 0.2"))
    assert list(month_event_dicts(session, "2026-03")) == []
    assert session.scalar(text("SHOW cursor_tuple_fraction")) == "0.2"


DECLARED = [
    ev(17, "batch_close", code=None, batch="B-2026-0042", type="bocal-500",
       id="batch-B-2026-0042", occurred_at=T0 + timedelta(hours=15),
       inputs={"codes": ["K7QX2M9P"], "quantity": 48},
       outputs={"codes": ["K7QX2M9P"], "quantity": 46}, rejected={"broken": 2, "chipped": 1},
       error_declaration={"declared_at": T0 + timedelta(days=20), "reason": "incorrect_data",
                          "corrective_ids": ["batch-B-2026-0042-correction-7"],
                          "note": "2 ébréchées comptées propres"}),
    ev(18, "batch_close", code=None, batch="B-2026-0042", type="bocal-500",
       id="batch-B-2026-0042-correction-7", occurred_at=T0 + timedelta(hours=15),
       recorded_at=T0 + timedelta(days=20, seconds=3),
       inputs={"codes": ["K7QX2M9P"], "quantity": 48},
       outputs={"codes": ["K7QX2M9P"], "quantity": 44}, rejected={"broken": 2, "chipped": 3}),
    ev(3, "lend", org="resto-le-comptoir", from_state="clean", to_state="in_use",
       error_declaration={"declared_at": T0 + timedelta(hours=3, minutes=2),
                          "reason": "did_not_occur", "undo": 19, "note": None}),
]


def test_error_declarations_are_valid_epcis_2(validator):
    doc = build_epcis_document(EVENTS + DECLARED, base_url=BASE)
    hashes = check_epcis(doc)
    # A declaration repeats the event as it was: a repository finds it by its hash.
    assert hashes[-1] == hashes[[e["eventID"] for e in doc["epcisBody"]["eventList"]].index(
        f"{BASE}/events/3")]
    batch, corrective, lend = doc["epcisBody"]["eventList"][-3:]
    assert batch["eventID"] == f"{BASE}/events/batch-B-2026-0042"
    assert batch["errorDeclaration"] == {
        "declarationTime": "2026-03-25T09:30:00.000+00:00", "reason": "incorrect_data",
        "correctiveEventIDs": [f"{BASE}/events/batch-B-2026-0042-correction-7"],
        "bou:note": "2 ébréchées comptées propres"}
    assert batch["outputQuantityList"][0]["quantity"] == 46
    assert corrective["eventID"] == batch["errorDeclaration"]["correctiveEventIDs"][0]
    assert "errorDeclaration" not in corrective
    assert corrective["eventTime"] == batch["eventTime"]  # what happened, and when: the close
    assert corrective["recordTime"] == "2026-03-25T09:30:03.000+00:00"
    assert corrective["bou:rejected"] == {"broken": 2, "chipped": 3}
    assert lend["eventID"] == f"{BASE}/events/3" and lend["bizStep"] == "retail_selling"
    assert lend["errorDeclaration"] == {"declarationTime": "2026-03-05T12:32:00.000+00:00",
                                        "reason": "did_not_occur",
                                        "bou:undo": f"{BASE}/events/19"}
    streamed = json.loads("".join(stream_epcis_document(
        EVENTS + DECLARED, base_url=BASE, created_at=datetime(2026, 4, 1, tzinfo=UTC))))
    assert streamed == build_epcis_document(EVENTS + DECLARED, base_url=BASE,
                                            created_at=datetime(2026, 4, 1, tzinfo=UTC))


def test_a_months_corrections_and_undos_are_declared(session, actors, make_container, scan,
                                                     validator):
    from bouteilles.models import Event
    from bouteilles.services.exports.epcis_month import export_epcis_month, month_event_dicts
    from bouteilles.services.movements import undo_event
    from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch
    from bouteilles.services.washing.corrections import correct_batch

    resto, site = actors["restaurant"], actors["washing_site"]
    boxes = [make_container("bocal-500", holder=site.org) for _ in range(2)]
    for code in boxes:
        scan(site, code, "sort")
    batch = open_batch(session, actor=site, type_code="bocal-500")
    add_inputs(session, batch, actor=site, codes=boxes, count=20)
    close_batch(session, batch, actor=site, clean=20, rejected={"chipped": 2})
    first = correct_batch(session, batch, actor=site, clean=18, rejected={"chipped": 4},
                          reason="2 ébréchées de plus").correction
    second = correct_batch(session, batch, actor=site, clean=19,
                           rejected={"chipped": 2, "broken": 1}, reason="une cassée").correction
    lent = make_container("bocal-500", holder=resto.org)
    mistaken = scan(resto, lent, "lend").event
    undo = undo_event(session, resto, mistaken.id, undo_minutes=15, reason="pas prêtée")
    session.commit()

    month = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    doc = json.loads("".join(export_epcis_month(session, month, base_url=BASE)))
    check_epcis(doc)
    body = doc["epcisBody"]["eventList"]
    by_id = {}
    for event in body:
        by_id.setdefault(event["eventID"], []).append(event)
    close_id = f"{BASE}/events/batch-{batch.code}"
    first_id, second_id = (f"{close_id}-correction-{c.id}" for c in (first, second))
    close, declared_close = by_id[close_id]  # the close as it was, then declared in error
    assert "errorDeclaration" not in close and close["outputQuantityList"][0]["quantity"] == 18
    assert declared_close["errorDeclaration"]["correctiveEventIDs"] == [first_id]
    assert declared_close["errorDeclaration"]["bou:note"] == "2 ébréchées de plus"
    assert {k: v for k, v in declared_close.items() if k != "errorDeclaration"} == close
    corrective, declared_first = by_id[first_id]
    assert corrective["outputQuantityList"][0]["quantity"] == 16
    assert corrective["outputEPCList"] == [f"{BASE}/q/{c}" for c in boxes]
    assert declared_first["errorDeclaration"]["correctiveEventIDs"] == [second_id]
    assert declared_first["recordTime"] == corrective["recordTime"]
    (latest,) = by_id[second_id]
    assert latest["outputQuantityList"][0]["quantity"] == 17
    assert latest["bou:rejected"] == {"broken": 1, "chipped": 2}
    # The undone lend: as it was, declared in error; the undo itself is no ObjectEvent.
    lend_id = f"{BASE}/events/{mistaken.id}"
    lend, declared_lend = by_id[lend_id]
    assert declared_lend["errorDeclaration"] == {
        "declarationTime": declared_lend["errorDeclaration"]["declarationTime"],
        "reason": "did_not_occur", "bou:undo": f"{BASE}/events/{undo.event.id}",
        "bou:note": "pas prêtée"}
    assert {k: v for k, v in declared_lend.items() if k != "errorDeclaration"} == lend
    assert f"{BASE}/events/{undo.event.id}" not in by_id
    assert session.get(Event, undo.event.id).undoes_id == mistaken.id
    # A member's month: its own undo; not the site's batch.
    own = list(month_event_dicts(session, month, resto.org.code))
    assert [e["id"] for e in own if e.get("error_declaration")] == [mistaken.id]
    site_own = list(month_event_dicts(session, month, site.org.code))
    assert sum(bool(e.get("error_declaration")) for e in site_own) == 2


def test_a_relabel_names_the_label_it_replaces(session, actors, make_container, validator):
    from bouteilles.services.exports.epcis_month import export_epcis_month
    from bouteilles.services.movements import relabel_item

    site = actors["washing_site"]
    old = make_container("bocal-500", holder=site.org)
    new = relabel_item(session, site, old).code
    session.commit()
    month = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    doc = json.loads("".join(export_epcis_month(session, month, base_url=BASE)))
    check_epcis(doc)
    (relabel,) = [e for e in doc["epcisBody"]["eventList"]
                  if e["bizStep"] == f"{BASE}/voc/relabelling"]
    assert relabel["epcList"] == [f"{BASE}/q/{new}"] and "disposition" not in relabel
    assert relabel["bou:replaces"] == f"{BASE}/q/{old}"
