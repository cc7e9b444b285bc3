"""One table of moves, recorded through every way a scan enters the log.

Each scenario brings a thing (a labelled container, or a counted crate) to a
state by a path of scans, then records one scan on it through each entry point:

- `record_scan(session, actor=user, …)`: the pages' way;
- `submit_scan(session, user, {… idempotency_key …})`: the API with a session;
- `POST /api/v1/scans` with a bearer token: the counter's way (a container's
  lend or return, and any scan that needs nothing but the container's row, is
  decided on a snapshot and written by compare-and-set; the rest goes through
  `submit_scan`).

The outcome expected is read from the life cycle (`services/lifecycle.py`):
refused, or the state it goes to, its anomaly, the ledger entries
(`deposit_moves`, for a container whose type carries a deposit) and the next
holder. Each entry point must give that outcome, and the same one down to
every column: the answer's status and body, the new event, the ledger
entries, the projection afterwards and the batches' input count. A refusal
writes nothing (not even the thing's times); a key sent again gets the first
answer back and writes nothing.

Every scenario scans its own three things, one per entry point, so that no
entry point sees another's writes. The scenarios that start from the same
kind of thing in the same state share a database and one walk of the path
(a test per group), which keeps the table fast; a failing group lists every
scenario of it that failed.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import groupby

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bouteilles.models import (
    Batch,
    Container,
    ContainerType,
    Crate,
    DepositEntry,
    Event,
    Organisation,
    utcnow,
)
from bouteilles.services import lifecycle
from bouteilles.services.deposits import OPENING_KINDS
from bouteilles.services.errors import BouteillesError
from bouteilles.services.movements import (
    commission_containers,
    create_crate,
    error_body,
    record_scan,
    scan_body,
    submissions,
    submit_scan,
)
from bouteilles.services.washing.batches import open_batch
from bouteilles.vocabulary import STATES

ENTRY_POINTS = ("record_scan", "submit_scan", "http")
# The type of each kind of thing, with open batches at the site (a box carries a
# deposit, a bottle none); and a type of each with no open batch anywhere.
TYPE_OF = {"container": "bocal-500", "crate": "bouteille-75"}
UNBATCHED_TYPE_OF = {"container": "bocal-750", "crate": "clavelin-62"}
CRATE_QUANTITY = 100

# Who records each action of the table: a member of a kind that records it.
ACTOR_OF = {
    "deliver": "collector",
    "lend": "restaurant",
    "fill": "winegrower",
    "return": "collection_point",
    "collect": "collector",
    "sort": "washing_site",
    "wash": "washing_site",
    "reject": "washing_site",
    "lose": "coordinator",
    "find": "coordinator",
}
ACTIONS = tuple(action for action in lifecycle.SCAN_ACTIONS if action != "commission")

# How to bring a clean thing, at the restaurant, to each state: (who, action, extra).
# "{site}" stands for the washing site's code.
LEND = ("restaurant", "lend", {})
TO_SITE = [LEND, ("collection_point", "return", {}), ("collector", "collect", {}),
           ("collector", "deliver", {"to": "{site}"})]
PATHS: dict[str, list[tuple[str, str, dict]]] = {
    "clean": [],
    "in_use": [LEND],
    "returned": TO_SITE[:2],
    "collected": TO_SITE[:3],
    "sorted": [*TO_SITE, ("washing_site", "sort", {})],
    "washing": [*TO_SITE, ("washing_site", "sort", {}), ("washing_site", "wash", {})],
    "rejected": [("washing_site", "reject", {"reason": "broken"})],
    "lost": [LEND, ("coordinator", "lose", {})],
}


@dataclass(frozen=True)
class Scenario:
    kind: str  # container | crate
    state: str  # the state the thing is in when scanned
    action: str
    to_site: bool = False  # `to`: the washing site
    reason: str | None = None
    named_batch: bool = False  # `batch`: an open batch other than the site's latest
    quantity: int | None = None  # what a crate's scan counted (None: as recorded)
    unbatched: bool = False  # a type with no open batch

    @property
    def type_code(self) -> str:
        return (UNBATCHED_TYPE_OF if self.unbatched else TYPE_OF)[self.kind]

    @property
    def id(self) -> str:
        parts = [self.kind, self.action, "from", self.state]
        if self.to_site:
            parts.append("to-site")
        if self.reason and self.action != "reject":
            parts.append(f"reason-{self.reason}")
        if self.named_batch:
            parts.append("named-batch")
        if self.quantity is not None:
            parts.append(f"counted-{self.quantity}")
        if self.unbatched:
            parts.append("no-open-batch")
        return "-".join(parts)


def table_scenario(kind: str, action: str, state: str) -> Scenario:
    """The table's scan: what the action needs to be recorded at all (a delivery
    names where to, a rejection why), nothing more."""
    return Scenario(kind, state, action, to_site=action == "deliver",
                    reason="broken" if action == "reject" else None)


SCENARIOS = [table_scenario(kind, action, state)
             for kind in TYPE_OF for state in STATES for action in ACTIONS]
SCENARIOS += [
    variant
    for kind in TYPE_OF
    for variant in (
        Scenario(kind, "returned", "collect", to_site=True),
        Scenario(kind, "in_use", "collect", to_site=True),
        Scenario(kind, "collected", "sort", reason="chipped"),
        Scenario(kind, "sorted", "wash", named_batch=True),
        Scenario(kind, "sorted", "wash", unbatched=True),
    )
]
SCENARIOS += [
    Scenario("crate", "returned", "collect", quantity=97),  # a recount
    Scenario("crate", "returned", "return", quantity=97),  # refused whatever the count
    Scenario("crate", "sorted", "wash", quantity=98),
    Scenario("crate", "clean", "lend", quantity=CRATE_QUANTITY),  # counted as recorded
]


def _group(scenario: Scenario) -> tuple[str, int]:
    return scenario.kind, STATES.index(scenario.state)


GROUPS = {f"{kind}-from-{STATES[state]}": list(members) for (kind, state), members
          in groupby(sorted(SCENARIOS, key=_group), key=_group)}


def test_the_table_covers_every_action_from_every_state():
    pairs = {(s.kind, s.action, s.state) for s in SCENARIOS}
    assert pairs >= {(k, a, s) for k in TYPE_OF for a in ACTIONS for s in STATES}
    assert set(PATHS) == set(STATES)
    assert set(ACTOR_OF) == set(ACTIONS)
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)
    assert sum(map(len, GROUPS.values())) == len(SCENARIOS)
    # A lost box brought back: its forfeited deposit reinstated, then refunded.
    assert Scenario("container", "lost", "return") in SCENARIOS
    assert lifecycle.deposit_moves("return", "lost", "returned") == ("reinstated", "refunded")


# What the life cycle says ----------------------------------------------------


def table_rule(scenario: Scenario) -> lifecycle.Rule:
    """The rule, read from the table itself (not through `decide`)."""
    if scenario.state == "rejected":
        return lifecycle.Rule("refused")
    rule = lifecycle.TABLE[scenario.action].get(scenario.state, lifecycle.Rule("refused"))
    if rule.outcome == "refused":
        return rule
    if scenario.action == "sort" and scenario.reason:
        return lifecycle.Rule(rule.outcome, "rejected", rule.anomaly)
    if scenario.action == "wash" and scenario.unbatched:
        return lifecycle.Rule("refused")  # no batch to join
    return rule


@dataclass
class World:
    users: dict
    site: Organisation
    org_ids: dict[str, int]
    org_codes: dict[int, str]
    deposit_cents: dict[str, int]  # by type code
    latest_batch: dict[str, str] = field(default_factory=dict)  # by type code
    named_batch: dict[str, str] = field(default_factory=dict)
    counter_answered: list[bool] = field(default_factory=list)


def expected(scenario: Scenario, world: World, before: dict) -> dict:
    """The outcome the life cycle fixes (`outcome` gives the shape; the answer aside)."""
    rule = table_rule(scenario)
    if rule.outcome == "refused":
        return {"status": ("refused", "invalid_transition"), "event": None, "ledger": [],
                "item": before["item"], "batch_inputs": 0, "touched": False}
    actor = world.users[ACTOR_OF[scenario.action]]
    item = before["item"]
    holder_id = world.org_ids[item["holder"]]
    anomaly = lifecycle.anomaly_of(rule, scenario.action, holder_id=holder_id,
                                   actor_org_id=actor.org_id, actor_kind=actor.org.kind)
    holder = world.org_codes[lifecycle.next_holder(
        scenario.action, actor_org_id=actor.org_id,
        to_org_id=world.site.id if scenario.to_site else None, holder_id=holder_id)]
    quantity, delta = 1, 0
    if scenario.kind == "crate":
        quantity = item["quantity"] if scenario.quantity is None else scenario.quantity
        delta = quantity - item["quantity"]
        if delta and anomaly is None:
            anomaly = "recount"
    to_state = rule.to_state
    ledger = []
    deposit = world.deposit_cents[scenario.type_code]
    if scenario.kind == "container" and deposit:
        last = before["ledger"][-1] if before["ledger"] else None
        for kind in lifecycle.deposit_moves(scenario.action, scenario.state, to_state):
            # A deposit taken or refunded is the scanning member's; a forfeit and its
            # reinstatement stay with the member that took it.
            org = actor.org.code if kind in ("taken", "refunded") else last[2]
            last = (kind, deposit, org)
            ledger.append(last)
    joined = None
    if scenario.action == "wash":
        joined = (world.named_batch if scenario.named_batch else
                  world.latest_batch)[scenario.type_code]
    if joined is not None:
        batch = joined
    elif scenario.state == "washing" and to_state != "rejected":
        batch = None
    else:
        batch = item["batch"]
    held = item["deposit_held_cents"]
    if ledger:
        held = ledger[-1][1] if ledger[-1][0] in OPENING_KINDS else 0
    return {
        "status": ("accepted", None),
        "event": {
            "action": scenario.action, "from_state": scenario.state, "to_state": to_state,
            "org": actor.org.code, "from_holder": item["holder"], "holder": holder,
            "anomaly": anomaly, "quantity": quantity, "quantity_delta": delta,
            "reason": scenario.reason, "batch": joined,
        },
        "ledger": ledger,
        "item": {
            **item, "state": to_state, "holder": holder, "quantity": quantity,
            "batch": batch, "deposit_held_cents": held,
            "lent_at": (to_state == "in_use") if scenario.kind == "container" else None,
            "reject_reason": scenario.reason if to_state == "rejected" else None,
        },
        "batch_inputs": quantity if joined else 0,
        "touched": True,
    }


# The record ----------------------------------------------------------------


def record(session, kind: str, code: str) -> dict:
    """The thing's projection, its events and ledger entries, and the batches'
    input count, read afresh from the database."""
    session.expire_all()
    model = Container if kind == "container" else Crate
    holder, from_holder, org = (aliased(Organisation) for _ in range(3))
    found = session.execute(
        select(model, holder.code.label("holder_code"), Batch.code.label("batch_code"))
        .join(holder, holder.id == model.holder_id)
        .outerjoin(Batch, Batch.id == model.batch_id)
        .where(model.code == code)).one()
    thing = found[0]
    item = {
        "state": thing.state, "holder": found.holder_code, "cycles": thing.cycles,
        "quantity": thing.quantity if kind == "crate" else 1, "batch": found.batch_code,
        "lent_at": thing.lent_at is not None if kind == "container" else None,
        "deposit_held_cents": thing.deposit_held_cents if kind == "container" else None,
        "reject_reason": thing.reject_reason,
    }
    times = (thing.updated_at, thing.last_event_at)
    column = Event.container_id if kind == "container" else Event.crate_id
    events = [dict(row._mapping) for row in session.execute(
        select(Event.action, Event.from_state, Event.to_state, org.code.label("org"),
               from_holder.code.label("from_holder"), holder.code.label("holder"),
               Event.anomaly, Event.quantity, Event.quantity_delta, Event.reason,
               Batch.code.label("batch"))
        .join(org, org.id == Event.org_id)
        .outerjoin(from_holder, from_holder.id == Event.from_holder_id)
        .join(holder, holder.id == Event.holder_id)
        .outerjoin(Batch, Batch.id == Event.batch_id)
        .where(column == thing.id).order_by(Event.id))]
    ledger = [] if kind == "crate" else [tuple(row) for row in session.execute(
        select(DepositEntry.kind, DepositEntry.amount_cents, Organisation.code)
        .join(Organisation, Organisation.id == DepositEntry.org_id)
        .where(DepositEntry.container_id == thing.id).order_by(DepositEntry.id))]
    inputs = sum(session.scalars(select(Batch.inputs)))
    return {"item": item, "events": events, "ledger": ledger, "inputs": inputs,
            "times": times}


def outcome(before: dict, after: dict, status: tuple, answer: dict) -> dict:
    """What one scan did: its status and answer, the event it added, the ledger
    entries it wrote, the projection it left, what it added to the batches and
    whether it touched the thing's times."""
    kept = len(before["events"])
    assert after["events"][:kept] == before["events"], "the log was rewritten"
    assert after["ledger"][:len(before["ledger"])] == before["ledger"], \
        "the ledger was rewritten"
    new_events = after["events"][kept:]
    assert len(new_events) <= 1, f"one scan wrote {len(new_events)} events"
    return {
        "status": status,
        "event": new_events[0] if new_events else None,
        "ledger": after["ledger"][len(before["ledger"]):],
        "item": after["item"],
        "batch_inputs": after["inputs"] - before["inputs"],
        "touched": after["times"] != before["times"],  # updated_at, last_event_at
        "answer": masked(answer),
    }


DIGITS = re.compile(r"\d")


def masked(answer: dict) -> dict:
    """An answer without what differs from one thing or moment to the next: ids,
    codes and times (and the dates a refusal quotes)."""
    answer = json.loads(json.dumps(answer))
    if "error" in answer:
        answer["error"]["message"] = DIGITS.sub("#", answer["error"]["message"])
        return answer
    for part, keys in (("event", ("id", "code", "occurred_at", "recorded_at")),
                       ("item", ("code", "updated_at"))):
        for key in keys:
            if answer.get(part) and key in answer[part]:
                answer[part][key] = f"<{key}>"
    return answer


def status_of(http_status: int, body: dict) -> tuple[str, str | None]:
    if http_status == 201:
        return ("accepted", None)
    return ("refused", (body or {}).get("error", {}).get("code"))


# The entry points ------------------------------------------------------------


def scan_fields(scenario: Scenario, world: World, code: str) -> dict:
    fields = {"code": code, "action": scenario.action}
    if scenario.to_site:
        fields["to"] = world.site.code
    if scenario.reason is not None:
        fields["reason"] = scenario.reason
    if scenario.named_batch:
        fields["batch"] = world.named_batch[scenario.type_code]
    if scenario.quantity is not None:
        fields["quantity"] = scenario.quantity
    return fields


def by_record_scan(session, client, world, scenario, code, headers):
    fields = scan_fields(scenario, world, code)
    del fields["code"], fields["action"]
    try:
        result = record_scan(session, actor=world.users[ACTOR_OF[scenario.action]], code=code,
                             action=scenario.action, **fields)
    except BouteillesError as exc:
        return ("refused", exc.code), error_body(exc), None
    return ("accepted", None), scan_body(session, result), None


def by_submit_scan(session, client, world, scenario, code, headers):
    data = {**scan_fields(scenario, world, code), "idempotency_key": uuid.uuid4().hex}
    status, body = submit_scan(session, world.users[ACTOR_OF[scenario.action]], data)
    return status_of(status, body), body, data


def by_http(session, client, world, scenario, code, headers):
    data = {**scan_fields(scenario, world, code), "idempotency_key": uuid.uuid4().hex}
    session.commit()
    response = client.post("/api/v1/scans", headers=headers, json=data)
    body = response.get_json()
    return status_of(response.status_code, body), body, data


RUN = {"record_scan": by_record_scan, "submit_scan": by_submit_scan, "http": by_http}


def replay(session, client, world, scenario, data, headers) -> list[tuple[str, int, dict]]:
    """The same key sent again, through both API entry points."""
    actor = world.users[ACTOR_OF[scenario.action]]
    answers = [("submit_scan", *submit_scan(session, actor, dict(data)))]
    session.commit()
    response = client.post("/api/v1/scans", headers=headers, json=data)
    answers.append(("http", response.status_code, response.get_json()))
    return answers


# The test ----------------------------------------------------------------------


@pytest.fixture
def world(session, actors, monkeypatch) -> World:
    """The members, the site's open batches, and a watch on the counter's path."""
    users = {kind: actors[kind] for kind in set(ACTOR_OF.values()) | {"restaurant"}}
    orgs = session.scalars(select(Organisation)).all()
    made = World(users=users, site=users["washing_site"].org,
                 org_ids={o.code: o.id for o in orgs}, org_codes={o.id: o.code for o in orgs},
                 deposit_cents={row.code: row.deposit_cents for row in session.execute(
                     select(ContainerType.code, ContainerType.deposit_cents))})
    # Two open batches per type at the site: the one a scan names (opened an hour
    # ago), and the latest, which a scan naming none joins.
    for type_code in TYPE_OF.values():
        named = open_batch(session, actor=users["washing_site"], type_code=type_code,
                           opened_at=utcnow() - timedelta(hours=1))
        latest = open_batch(session, actor=users["washing_site"], type_code=type_code)
        made.named_batch[type_code], made.latest_batch[type_code] = named.code, latest.code
    session.commit()

    real = submissions.record_counter_scan

    def watched(*args, **kwargs):
        found = real(*args, **kwargs)
        made.counter_answered.append(found is not None and found[1] is not None)
        return found

    monkeypatch.setattr(submissions, "record_counter_scan", watched)
    return made


def things_in(session, world: World, kind: str, type_code: str, state: str,
              count: int) -> list[str]:
    """`count` things of a kind and type, clean at the restaurant, brought to `state`."""
    coordinator, restaurant = world.users["coordinator"], world.users["restaurant"].org
    if kind == "container":
        codes = [box.code for box in commission_containers(
            session, actor=coordinator, type_code=type_code, count=count,
            holder_code=restaurant.code)]
    else:
        codes = [create_crate(session, actor=coordinator, type_code=type_code,
                              quantity=CRATE_QUANTITY, holder_code=restaurant.code).code
                 for _ in range(count)]
    for who, action, extra in PATHS[state]:
        extra = {key: value.format(site=world.site.code) for key, value in extra.items()}
        for code in codes:
            record_scan(session, actor=world.users[who], code=code, action=action, **extra)
    session.commit()
    return codes


def differences(values: dict[str, object], prefix: str = "") -> list[str]:
    """Where the entry points' values differ, field by field."""
    first = next(iter(values.values()))
    if all(value == first for value in values.values()):
        return []
    if all(isinstance(value, dict) for value in values.values()):
        keys = sorted({key for value in values.values() for key in value})
        return [line for key in keys for line in differences(
            {name: value.get(key, "<absent>") for name, value in values.items()},
            f"{prefix}{key}.")]
    return [f"{prefix.rstrip('.')}: " + "; ".join(f"{name}={value!r}"
                                                   for name, value in values.items())]


def check_scenario(session, client, world: World, scenario: Scenario, codes: dict,
                   headers: dict) -> list[str]:
    """Record the scenario's scan through each entry point; what went wrong."""
    outcomes, wanted, keys, answers = {}, {}, {}, {}
    via_counter = False
    for entry_point, code in codes.items():
        before = record(session, scenario.kind, code)
        wanted[entry_point] = expected(scenario, world, before)
        answered = len(world.counter_answered)
        status, answer, keys[entry_point] = RUN[entry_point](
            session, client, world, scenario, code, headers)
        session.commit()
        outcomes[entry_point] = outcome(before, record(session, scenario.kind, code),
                                        status, answer)
        answers[entry_point] = json.loads(json.dumps(answer))
        if entry_point == "http":
            via_counter = any(world.counter_answered[answered:])

    problems = [f"{entry_point} {key}: expected {value!r}, got {got[key]!r}"
                for entry_point, got in outcomes.items()
                for key, value in wanted[entry_point].items() if got[key] != value]
    problems += differences(outcomes)

    # The counter's lends and returns of a container are written by compare-and-set
    # (a return that writes two ledger entries may take the general path).
    if scenario.kind == "container" and scenario.action in ("lend", "return") \
            and outcomes["http"]["status"][0] == "accepted" \
            and len(outcomes["http"]["ledger"]) <= 1 and not via_counter:
        problems.append("http: the counter's compare-and-set did not record it")

    # A key sent again: the first answer, as it was, and nothing written.
    for entry_point in ("submit_scan", "http"):
        code = codes[entry_point]
        first = record(session, scenario.kind, code)
        for via, status, body in replay(session, client, world, scenario, keys[entry_point],
                                        headers):
            if (status, body) != (200, answers[entry_point]):
                problems.append(f"{entry_point}'s key replayed through {via}: "
                                f"{status} {body!r}, first {answers[entry_point]!r}")
        session.commit()
        if record(session, scenario.kind, code) != first:
            problems.append(f"{entry_point}'s key replayed: something was written")
    return problems


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_entry_point_records_the_move_alike(session, client, world, token_for, group):
    scenarios = GROUPS[group]
    kind, state = scenarios[0].kind, scenarios[0].state
    things = {}
    for type_code in {scenario.type_code for scenario in scenarios}:
        of_type = [s for s in scenarios if s.type_code == type_code]
        codes = iter(things_in(session, world, kind, type_code, state,
                               len(of_type) * len(ENTRY_POINTS)))
        for scenario in of_type:
            things[scenario] = {entry_point: next(codes) for entry_point in ENTRY_POINTS}
    headers = {actor: token_for(world.users[actor]) for actor in
               {ACTOR_OF[scenario.action] for scenario in scenarios}}
    session.commit()

    failed = {}
    for scenario in scenarios:
        try:
            problems = check_scenario(session, client, world, scenario, things[scenario],
                                      headers[ACTOR_OF[scenario.action]])
        except Exception as exc:  # noqa: BLE001 - reported with the group's other failures
            session.rollback()
            problems = [f"raised {type(exc).__name__}: {exc}"]
        if problems:
            failed[scenario.id] = problems
    assert not failed, "\n".join(
        f"{scenario_id}:\n  " + "\n  ".join(problems) for scenario_id, problems in failed.items())
