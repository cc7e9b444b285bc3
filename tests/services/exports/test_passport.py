"""Reuse Standard passports: every object of the demo network, one passport each, valid
against the standard's schemas (tests/reuse_standard.py), with its codes from its lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from reuse_standard import errors, full_errors
from sqlalchemy import func, select

from bouteilles.models import Container, Crate
from bouteilles.services.exports.passport import (
    Network,
    cycle,
    item_passport,
    month_passports,
)

from .conftest import months_of

NETWORK = Network(namespace="https://bouteilles.test", name="Bouteilles",
                  base_url="https://bouteilles.test")
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)




def test_every_demo_passport_is_valid_and_counts_the_objects_cycles(demo):
    items = [*demo.scalars(select(Container)), *demo.scalars(select(Crate))]
    assert len(items) > 100
    ids = set()
    for item in items:
        passport = item_passport(demo, item, network=NETWORK, visible=True, now=NOW)
        assert full_errors(passport) == [], item.code
        assert passport["code"] == item.code and passport["kind"] == item.kind
        if isinstance(item, Container):  # the standard's count is the app's
            assert passport["completed_cycle_count"] == item.cycles
        assert passport["in_reuse"] == (item.state not in ("rejected", "lost"))
        ids.add(passport["asset_id"])
    assert len(ids) == len(items)  # one UUID per object, containers and crates apart
    assert any(p for p in ids)


def test_the_same_object_always_has_the_same_uuids(demo):
    box = demo.scalars(select(Container).where(Container.cycles > 0)).first()
    once = item_passport(demo, box, network=NETWORK, visible=True, now=NOW)
    again = item_passport(demo, box, network=NETWORK, visible=True, now=NOW)
    assert once == again
    other = Network(namespace="https://ailleurs.test", name="X", base_url="https://x.test")
    elsewhere = item_passport(demo, box, network=other, visible=True, now=NOW)
    assert elsewhere["asset_id"] != once["asset_id"]
    assert box.cycles > 0 and sum(r["action"] == "batch_close"
                                  for r in once["passport_history"]) == box.cycles


def test_a_hidden_history_tells_only_what_the_public_may_know(demo):
    box = demo.scalars(select(Container).where(Container.cycles > 0)).first()
    passport = item_passport(demo, box, network=NETWORK, visible=False, now=NOW)
    assert full_errors(passport) == []
    assert passport["history_hidden"] and passport["passport_history"] == []
    assert not {"latest_activity", "latest_activity_location"} & set(passport)
    assert passport["completed_cycle_count"] == box.cycles


def test_the_cycle_has_one_start_step_the_batch_close_and_follows_the_life_cycle():
    loop = cycle(NETWORK, "box")
    assert errors("cycle", loop) == []
    by_name = {a["activity_id"]: a for a in loop["activities"]}
    starts = [a for a in loop["activities"] if a["activity_type"] == "start_step"]
    assert [a["name"] for a in starts] == ["Lot clôturé"]
    lend = next(a for a in loop["activities"] if a["name"] == "Prêté")
    assert "Repris" in {by_name[n]["name"] for n in lend["next"]}
    assert set(n for a in loop["activities"] for n in a["next"]) <= set(by_name)


def test_a_month_gives_one_valid_line_per_object_that_moved(demo):
    months = months_of(demo)
    seen = set()
    for month in months:
        lines = list(month_passports(demo, month, network=NETWORK))
        passports = [json.loads(line) for line in lines]
        for passport in passports:
            assert errors("passport", passport) == []
            assert passport["passport_history"]
            for record in passport["passport_history"]:
                assert errors("passport_history", record) == []
                window = passport["date_range"]
                assert window["date_start"] <= record["date"] < window["date_end"]
        assert len({p["asset_id"] for p in passports}) == len(passports)
        seen |= {p["asset_id"] for p in passports}
    items = demo.scalar(select(func.count()).select_from(Container)) + demo.scalar(
        select(func.count()).select_from(Crate))
    assert len(seen) == items  # every object moved in one of the months


def test_a_members_month_is_the_objects_it_moved(demo):
    kinds = set()
    for month in months_of(demo):
        everyone = [json.loads(line) for line in month_passports(demo, month, network=NETWORK)]
        grower = [json.loads(line) for line in month_passports(
            demo, month, network=NETWORK, org_code="domaine-des-marnes")]
        assert {p["asset_id"] for p in grower} < {p["asset_id"] for p in everyone}
        kinds |= {p["kind"] for p in grower}
    # what the domaine filled: crates of bottles, and the demo's labelled clavelins
    assert kinds == {"crate", "container"}


def test_the_schemas_references_resolve_offline():
    """A fault inside a referenced schema is found: the registry resolves, no network."""
    uuid = "11111111-1111-1111-1111-111111111111"
    assert errors("passport", {"asset_id": uuid, "in_reuse": True,
                               "latest_activity_location": {"name": 5}}) \
        == ["latest_activity_location/name: 5 is not of type 'string'"]
    assert errors("cycle", {"cycle_id": uuid, "reuse_model": "return_go",
                            "activities": [{"activity_id": uuid, "name": "n"}]}) \
        == ["activities/0: 'activity_type' is a required property"]
