"""Reuse Standard passports (reuse-standard.org): a tracked thing's state and history.

The mapping (docs/decisions.md, "Reuse Standard passport"): each container or
crate is an asset; each reuse loop (a container family) is a cycle whose
activities are the log's actions, linked as the life-cycle table links them;
a washing batch's close is the cycle's start step (passing it is a completed
cycle, `lifecycle.completes_cycle`) and joining a batch its cleaning step. The
event log is the passport history, without undos and the events they undid
(declared never to have occurred). Every UUID is a version 5 UUID in the
network's namespace, so the same thing always has the same one.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ...models import Container, ContainerType, Crate, Event, Organisation
from ...vocabulary import ACTION_DONE_LABELS, ACTIONS, LOOP_NAMES
from .. import lifecycle
from ..deposits import month_bounds
from ..items.lookup import get_org, iso
from ..territories import Scope, scope_of

Item = Container | Crate

# The standard's code lists (materials, packaging types, reuse models, trackers,
# cleaning methods, activity types) for what the network runs.
MATERIAL = {"bottle": "glass", "box": "glass"}
PACKAGING = {"bottle": "bottle", "box": "jar"}
# Consumers bring bottles and boxes back to a shop, a restaurant or a collection point.
REUSE_MODEL = {"bottle": "return_go", "box": "return_go"}
TRACKER = "qr_glued"
CLEANING = "washing"
# ISO 3166's user-assigned "ZZ": the network does not know where its glass was made.
UNKNOWN_COUNTRY = "ZZ"
START_STEP, CLEAN_STEP = "batch_close", "wash"
# An undo is no step: it and the event it undid leave the history.
CYCLE_ACTIONS = tuple(action for action in ACTIONS if action != "undo")
_ROWS_PER_FETCH = 2000
_E = Event.__table__.c


@dataclass(frozen=True)
class Network:
    """Who publishes the passports: the namespace of its UUIDs, its name, its QR pages."""

    namespace: str  # REUSE_NAMESPACE, else BASE_URL: what names the network for good
    name: str
    base_url: str

    @property
    def uuid_namespace(self) -> UUID:
        return uuid5(NAMESPACE_URL, self.namespace)

    def uuid(self, *parts: object) -> str:
        """The stable UUID of what `parts` name in this network."""
        return str(uuid5(self.uuid_namespace, "/".join(str(part) for part in parts)))

    def asset(self, kind: str, item_id: int) -> str:
        return self.uuid(kind, item_id)

    def asset_type(self, type_id: int) -> str:
        return self.uuid("asset-type", type_id)

    def cycle(self, family: str) -> str:
        return self.uuid("cycle", family)

    def activity(self, family: str, action: str) -> str:
        return self.uuid("cycle", family, "activity", action)

    def org(self) -> dict:
        return {"name": self.name, "org_id": self.namespace}


def _activity_type(action: str) -> str:
    return {START_STEP: "start_step", CLEAN_STEP: "clean_step"}.get(action, "step")


def _next_actions(action: str) -> list[str]:
    """The actions that normally follow `action`, read from the life-cycle table."""
    rules = lifecycle.TABLE.get(action, {})
    after = {rule.to_state for rule in rules.values() if rule.outcome == "allowed"}
    return [following for following in CYCLE_ACTIONS
            if any(rule.outcome == "allowed"
                   for state, rule in lifecycle.TABLE.get(following, {}).items()
                   if state in after)]


def cycle(network: Network, family: str) -> dict:
    """A reuse loop as the standard's cycle."""
    return {
        "cycle_id": network.cycle(family), "name": LOOP_NAMES[family],
        "reuse_model": REUSE_MODEL[family],
        "activities": [{
            "activity_id": network.activity(family, action),
            "activity_type": _activity_type(action), "name": ACTION_DONE_LABELS[action],
            "next": [network.activity(family, nxt) for nxt in _next_actions(action)],
        } for action in CYCLE_ACTIONS],
    }


def asset_type(network: Network, ctype: ContainerType) -> dict:
    """A container type as the standard's asset type (mass in grams, volume in ml)."""
    body = {
        "asset_type_id": network.asset_type(ctype.id), "name": ctype.name,
        "cycle_id": [network.cycle(ctype.family)], "sku": ctype.code,
        "reusable_asset_type": PACKAGING[ctype.family], "weight": ctype.mass_g,
        "tracker_type": TRACKER, "country_of_origin": UNKNOWN_COUNTRY,
        "primary_material": MATERIAL[ctype.family], "is_recycled": False,
        "cleaning_method": CLEANING, "deposit_cents": ctype.deposit_cents,
    }
    if ctype.volume_ml is not None:
        body["volume"] = ctype.volume_ml
    return body


@dataclass(frozen=True)
class Step:
    """One event of an object's history, as the passport reads it."""

    id: int
    action: str
    code: str
    to_state: str
    reason: str | None
    occurred_at: datetime
    holder_code: str
    holder_name: str


def _passport(network: Network, *, kind: str, item_id: int, family: str, type_id: int,
              steps: list[Step], visible: bool, code: str, state: str,
              reason: str | None) -> dict:
    """The passport of an object from its steps (oldest first) and its code, state and
    reject reason at the end of them."""
    asset_id = network.asset(kind, item_id)
    body: dict = {
        "asset_id": asset_id, "asset_type": network.asset_type(type_id),
        "in_reuse": state in lifecycle.LIVE_STATES,
        "completed_cycle_count": sum(lifecycle.completes_cycle(s.action, s.to_state)
                                     for s in steps),
        "other_ref": code, "code": code, "kind": kind,
        "url": f"{network.base_url}/q/{code}", "history_hidden": not visible,
        "passport_history": [],
    }
    if not body["in_reuse"]:
        body["decommission_reason"] = reason or state
    if visible and steps:
        last = steps[-1]
        body |= {"latest_activity": network.activity(family, last.action),
                 "latest_activity_date": iso(last.occurred_at),
                 "latest_activity_location": _location(last)}
        body["passport_history"] = [{
            "asset": asset_id, "activity": network.activity(family, s.action),
            "date": iso(s.occurred_at), "location": _location(s),
            "record_id": network.uuid("event", s.id), "action": s.action, "code": s.code,
        } for s in steps]
    return body


def _location(step: Step) -> dict:
    return {"name": step.holder_name, "org_id": step.holder_code}


def _not_undone():
    undo = Event.__table__.alias("undo")
    return ~exists().where(undo.c.undoes_id == _E.id)


def _steps_query(column):
    holder = Organisation.__table__
    return (select(column, _E.id, _E.action, _E.code, _E.to_state, _E.reason, _E.occurred_at,
                   holder.c.code, holder.c.name)
            .select_from(Event.__table__.join(holder, holder.c.id == _E.holder_id))
            .where(_E.action != "undo", _not_undone()))


def _steps(rows: Iterable) -> list[Step]:
    return [Step(*row[1:]) for row in rows]


def item_passport(session: Session, item: Item, *, network: Network,
                  visible: bool, now: datetime) -> dict:
    """The passport of one object, with the standard's definitions it names (org, cycle,
    asset type): an object valid against passport.schema.json and reuse.schema.json.
    Without `visible` (services/items/lookup.can_see_history), only what the public
    may know: no history, no latest activity or place."""
    column = _E.container_id if isinstance(item, Container) else _E.crate_id
    steps = _steps(session.execute(_steps_query(column).where(column == item.id)
                                   .order_by(_E.occurred_at, _E.id)))
    body = _passport(network, kind=item.kind, item_id=item.id, family=item.type.family,
                     type_id=item.type_id, steps=steps, visible=visible, code=item.code,
                     state=item.state, reason=item.reject_reason)
    if isinstance(item, Crate):
        body["quantity"] = item.quantity
    return body | {"org": network.org(), "date": iso(now),
                   "cycles": [cycle(network, item.type.family)],
                   "asset_types": [asset_type(network, item.type)]}


def month_passports(session: Session, month: str, *, network: Network,
                    org_code: str | None = None, scope: Scope = Scope.WHOLE) -> Iterator[str]:
    """The passports of every object that moved in the month (Paris calendar), one JSON
    line each, containers then crates, each as of the month: its latest activity, its
    cycles completed and its history within the month (the standard's date range).

    `org_code`: only the objects a member moved, held or handed on in the month (the
    coordination: all). `scope`, a territory: the objects its members moved in the month
    (an event it recorded: `Event.territory_id`), wherever their home is, as its EPCIS
    export; a box lent in one territory and returned in another is in both."""
    start, end = month_bounds(month)
    org = get_org(session, org_code) if org_code else None
    org_id = org.id if org is not None and org.kind != "coordinator" else None
    if org is not None:  # one member's, or what a coordinator coordinates
        scope = Scope.WHOLE if org_id is not None else scope_of(org)
    families = dict(session.execute(select(ContainerType.id, ContainerType.family)).all())
    date_range = {"date_start": iso(start), "date_end": iso(end)}
    for kind, column in (("container", _E.container_id), ("crate", _E.crate_id)):
        in_month = (_E.occurred_at >= start, _E.occurred_at < end)
        moved = select(column).where(column.is_not(None), *in_month)
        if org_id is not None:
            moved = moved.where((_E.org_id == org_id) | (_E.holder_id == org_id)
                                | (_E.from_holder_id == org_id))
        moved = moved.where(scope.rows(_E.territory_id))
        stmt = (_steps_query(column).add_columns(_E.type_id)
                .where(column.in_(moved.distinct()), *in_month)
                .order_by(column, _E.occurred_at, _E.id))
        rows = session.execute(stmt.execution_options(yield_per=_ROWS_PER_FETCH))
        with rows:  # a consumer that stops half-way closes the (server-side) cursor
            for item_id, group in itertools.groupby(rows, key=lambda row: row[0]):
                group = list(group)
                type_id, steps = group[-1][-1], _steps(row[:-1] for row in group)
                last = steps[-1]
                body = _passport(network, kind=kind, item_id=item_id,
                                 family=families[type_id], type_id=type_id, steps=steps,
                                 visible=True, code=last.code, state=last.to_state,
                                 reason=last.reason)
                body["date_range"] = date_range
                yield json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"
