"""What a move of a labelled container writes and answers, planned from the row read.

`plan_move` depends on nothing but its arguments: what it plans is what any
reader of the same row would plan, so a plan made on a snapshot (the
counter) and one made in a transaction (the general path) are the same.
The life cycle (`services/lifecycle.py`) decides; this turns its decision
into rows: the event, the ledger entries, the container's new projection, and
the API's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context

from .. import lifecycle
from ..deposits import OPENING_KINDS
from ..items.lookup import event_body, item_body
from ..members.accounts import Actor


@dataclass(frozen=True)
class Place:
    """An organisation a thing moves to (`deliver … to`)."""

    id: int
    code: str
    name: str


@dataclass
class ContainerMove:
    """What a recorded scan did: the API descriptions and the rows' ids."""

    event: dict
    item: dict
    deposit: dict | None
    event_id: int
    container_id: int
    deposit_id: int | None
    batch_id: int | None

    @property
    def body(self) -> dict:
        """The API answer to the scan."""
        return {"event": self.event, "item": self.item, "deposit": self.deposit}


@dataclass(frozen=True)
class OpenBatch:
    id: int
    code: str


@dataclass
class PlannedMove:
    """What a scan will write (event, ledger entries, projection) and answer."""

    move: ContainerMove
    event: dict
    entries: list[dict]
    projection: dict


def plan_move(box, actor: Actor, rule: lifecycle.Rule, *, action: str, occurred_at: datetime,
              now: datetime, to: Place | None, reason: str | None,
              idempotency_key: str | None, joined: OpenBatch | None,
              refund_rejected: bool = False, refunded_by: int | None = None) -> PlannedMove:
    """The rows a permitted move of `box` (a READ row) writes, and its answer.

    Depends on nothing but its arguments: what it plans is what any reader of
    the same row would plan (`counter` relies on it). `refunded_by`: the member
    whose counted return this box was matched to (`counted_returns`), which
    refunded its deposit.
    """
    anomaly = lifecycle.anomaly_of(rule, action, holder_id=box.holder_id,
                                   actor_org_id=actor.org_id, actor_kind=actor.kind)
    holder_id = lifecycle.next_holder(action, actor_org_id=actor.org_id,
                                      to_org_id=to.id if to else None, holder_id=box.holder_id)
    state = rule.to_state
    entries = _ledger_entries(box, action, state, actor.org_id, refund_rejected, refunded_by)
    held = box.deposit_held_cents
    if entries:
        held = entries[-1]["amount_cents"] if entries[-1]["kind"] in OPENING_KINDS else 0
    batch_id = lifecycle.batch_after(box.state, state, batch_id=box.batch_id,
                                     joined_id=joined.id if joined else None)
    batch_code = joined.code if joined else box.batch_code if batch_id is not None else None
    if state == "in_use":
        lent_at = occurred_at if box.state != "in_use" else box.lent_at
    else:
        lent_at = None

    event = {
        "action": action, "code": box.code, "container_id": box.id, "crate_id": None,
        "type_id": box.type_id, "org_id": actor.org_id, "user_id": actor.user_id,
        "from_holder_id": box.holder_id, "holder_id": holder_id, "from_state": box.state,
        "to_state": state, "quantity": 1, "quantity_delta": 0, "reason": reason,
        "anomaly": anomaly, "batch_id": joined.id if joined else None,
        "idempotency_key": idempotency_key, "territory_id": actor.territory_id,
        "occurred_at": occurred_at, "recorded_at": now, "detail": None,
    }
    projection = {
        "state": state, "holder_id": holder_id, "batch_id": batch_id, "lent_at": lent_at,
        "reject_reason": reason if state == "rejected" else None, "updated_at": now,
        "deposit_held_cents": held,
        "last_event_at": max(box.last_event_at or occurred_at, occurred_at),
    }
    holder = _holder(box, actor, to, holder_id)
    entry = entries[-1] if entries else None
    move = ContainerMove(
        event=event_body(
            id=None, action=action, code=box.code, org=actor.org_code, holder=holder.code,
            from_state=box.state, to_state=state, quantity=1, quantity_delta=0,
            reason=reason, anomaly=anomaly, occurred_at=occurred_at, recorded_at=now),
        item=item_body(
            code=box.code, kind="container", type_code=box.type_code,
            type_name=box.type_name, family=box.family, state=state, holder_code=holder.code,
            holder_name=holder.name, owner_code=box.owner_code, cycles=box.cycles,
            quantity=1,
            deposit_cents=box.deposit_cents, deposit_held_cents=held,
            reject_reason=reason if state == "rejected" else None, batch=batch_code,
            updated_at=now),
        deposit=None if entry is None else {
            "kind": entry["kind"], "amount_cents": entry["amount_cents"],
            "org": actor.org_code if entry["org_id"] == actor.org_id else None,
        },
        event_id=0, container_id=box.id, deposit_id=None,
        batch_id=joined.id if joined else None,
    )
    return PlannedMove(move, event, entries, projection)


def refund_rejected() -> bool:
    """Whether a box rejected in use (brought back broken) is refunded: the app's
    BROKEN_BOX_DEPOSIT setting (outside an app, kept)."""
    return has_app_context() and current_app.config.get("BROKEN_BOX_DEPOSIT") == "refunded"


AFTER_PREVIOUS = -1  # lend_entry_id of a second entry: the first one's id


def _ledger_entries(box, action: str, to_state: str, org_id: int,
                    refund_rejected: bool = False,
                    refunded_by: int | None = None) -> list[dict]:
    """The ledger entries of the move (without ids), in order.

    Entries chain through `lend_entry_id`, which is unique: a lend's deposit is
    refunded (or forfeited) once, whatever is replayed or rescanned.
    """
    opening = None if box.lend_entry_id is None else {
        "id": box.lend_entry_id, "kind": box.entry_kind, "amount_cents": box.entry_amount,
        "org_id": box.entry_org_id}
    entries: list[dict] = []
    for kind in lifecycle.deposit_moves(action, box.state, to_state,
                                        refund_rejected=refund_rejected):
        if kind == "taken":
            if box.deposit_cents == 0:
                continue
            entry = {"kind": kind, "org_id": org_id, "amount_cents": box.deposit_cents,
                     "lend_entry_id": None}
        else:
            closes = ("forfeited",) if kind == "reinstated" else OPENING_KINDS
            if opening is None or opening["kind"] not in closes:
                continue  # lent without a deposit: nothing to move
            if kind == "forfeited" and refunded_by is not None:
                kind, org_id = "refunded", refunded_by  # refunded at a counted return
            entry = {"kind": kind, "amount_cents": opening["amount_cents"],
                     "org_id": org_id if kind == "refunded" else opening["org_id"],
                     "lend_entry_id": opening.get("id", AFTER_PREVIOUS)}
        entries.append(entry)
        opening = {key: value for key, value in entry.items() if key != "lend_entry_id"}
    return entries


def _holder(box, actor: Actor, to: Place | None, holder_id: int) -> Place:
    if to is not None and holder_id == to.id:
        return to
    if holder_id == actor.org_id:
        return Place(actor.org_id, actor.org_code, actor.org_name)
    return Place(box.holder_id, box.holder_code, box.holder_name)
