"""Recording scans: validate, ask the life cycle, append the event, move money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import (
    REJECT_REASONS,
    Batch,
    Container,
    Crate,
    DepositEntry,
    Event,
    IdempotentResponse,
    User,
    utcnow,
)
from . import lifecycle
from .containers import commission_code
from .errors import BouteillesError, Conflict, Forbidden, InvalidTransition, ValidationError
from .items import STATE_LABELS, Item, describe_event, describe_item, get_item, get_org
from .payload import optional_int, optional_str, parse_time, required_str

MAX_CLOCK_SKEW = timedelta(minutes=10)
MAX_OFFLINE_AGE = timedelta(days=90)


@dataclass
class ScanResult:
    event: Event
    item: Item
    deposit: DepositEntry | None


def record_scan(
    session: Session,
    *,
    actor: User,
    code: str,
    action: str,
    occurred_at: datetime | None = None,
    to: str | None = None,
    reason: str | None = None,
    quantity: int | None = None,
    batch: str | None = None,
    idempotency_key: str | None = None,
    split_off: int = 0,
) -> ScanResult:
    """Apply one scan to the record; raise a BouteillesError when it is refused.

    `split_off`: containers taken out of a crate on purpose (into new crates made in
    the same transaction); that part of the quantity change is not a recount.
    """
    now = utcnow()
    occurred_at = occurred_at or now
    if occurred_at > now + MAX_CLOCK_SKEW:
        raise ValidationError("La date du scan est dans le futur : vérifiez l'heure du téléphone.")
    if occurred_at < now - MAX_OFFLINE_AGE:
        raise ValidationError("Ce scan date de plus de 90 jours : il n'est plus accepté.")
    if action not in lifecycle.SCAN_ACTIONS:
        raise ValidationError(
            "Action inconnue « {action} ». Actions possibles : {actions}.",
            action=action, actions=", ".join(lifecycle.SCAN_ACTIONS),
        )
    if not lifecycle.may_act(actor.org.kind, action):
        raise Forbidden(
            "Votre organisation ({kind}) ne peut pas enregistrer « {action} ».",
            kind=actor.org.kind, action=action,
        )
    if action == "commission":
        return _commission_scan(session, actor, code, occurred_at, now, idempotency_key)
    if reason is not None and reason not in REJECT_REASONS:
        raise ValidationError(
            "Motif inconnu « {reason} » : {reasons}.", reason=reason,
            reasons=", ".join(REJECT_REASONS),
        )
    if action == "reject" and reason is None:
        raise ValidationError("Un objet écarté doit avoir un motif : {reasons}.",
                              reasons=", ".join(REJECT_REASONS))
    if action == "deliver" and to is None:
        raise ValidationError("Livrer à qui ? Indiquez l'organisation destinataire (« to »).")
    if quantity is not None and quantity < 0:
        raise ValidationError("Une quantité ne peut pas être négative.")
    to_org = get_org(session, to) if to is not None else None

    item = get_item(session, code, for_update=True)
    rule = lifecycle.decide(action, item.state, reason=reason)
    if rule.outcome == "refused":
        raise InvalidTransition(rule.message, **_record_context(session, item))
    anomaly = rule.anomaly
    if (anomaly is None and action in lifecycle.HOLDER_ACTIONS
            and item.holder_id != actor.org_id and actor.org.kind != "coordinator"):
        anomaly = "unexpected_holder"

    event = Event(
        action=action, code=item.code, type_id=item.type_id, org_id=actor.org_id,
        user_id=actor.id, from_holder_id=item.holder_id, from_state=item.state,
        to_state=rule.to_state, reason=reason, idempotency_key=idempotency_key,
        occurred_at=occurred_at, recorded_at=now,
        holder_id=lifecycle.next_holder(
            action, actor_org_id=actor.org_id, to_org_id=to_org.id if to_org else None,
            holder_id=item.holder_id,
        ),
    )
    if isinstance(item, Crate):
        event.crate_id = item.id
        event.quantity = item.quantity if quantity is None else quantity
        event.quantity_delta = event.quantity - item.quantity
        if split_off:
            event.detail = {"split_off": split_off}
        if event.quantity_delta + split_off and anomaly is None:
            anomaly = "recount"
    else:
        event.container_id = item.id
        event.quantity, event.quantity_delta = 1, 0
    event.anomaly = anomaly
    if action == "wash":
        event.batch_id = _join_open_batch(session, item, actor, batch, event.quantity).id
    session.add(event)
    session.flush()

    deposit = move_deposit(session, item, event) if isinstance(item, Container) else None
    apply_event(item, event)
    session.flush()
    # The loaded `holder` still names the previous holder: reload it from holder_id,
    # or the answer would report where the thing was (found by the stateful test).
    session.expire(item, ["holder"])
    return ScanResult(event, item, deposit)


def _commission_scan(session: Session, actor: User, code: str, occurred_at: datetime,
                     now: datetime, idempotency_key: str | None) -> ScanResult:
    """First scan of a minted label: put it into service, clean, at the scanning site."""
    box = commission_code(session, actor=actor, code=code, at=occurred_at,
                          idempotency_key=idempotency_key)
    box.updated_at = now
    session.flush()
    event = session.scalars(select(Event).where(Event.container_id == box.id)).one()
    return ScanResult(event, box, None)


def apply_event(item: Item, event: Event) -> None:
    """Update the current-state projection of an item from one event."""
    if event.to_state == "in_use" and event.from_state != "in_use":
        if isinstance(item, Container):
            item.lent_at = event.occurred_at
    elif isinstance(item, Container) and event.to_state != "in_use":
        item.lent_at = None
    if isinstance(item, Crate):
        item.quantity = event.quantity
    if event.batch_id is not None:
        item.batch_id = event.batch_id
    elif event.from_state == "washing" and event.to_state != "rejected":
        item.batch_id = None
    item.state = event.to_state
    item.holder_id = event.holder_id
    item.reject_reason = event.reason if event.to_state == "rejected" else None
    item.updated_at = event.recorded_at
    item.last_event_at = max(item.last_event_at or event.occurred_at, event.occurred_at)


def move_deposit(session: Session, box: Container, event: Event) -> DepositEntry | None:
    """Write the ledger entries of a transition; return the last one, if any.

    Entries chain through `lend_entry_id`, which is unique: a lend's deposit is
    refunded (or forfeited) once, whatever is replayed or rescanned.
    """
    last = None
    for kind in lifecycle.deposit_moves(event.action, event.from_state, event.to_state):
        if kind == "taken":
            if box.type.deposit_cents == 0:
                continue
            last = DepositEntry(kind=kind, org_id=event.org_id, amount_cents=box.type.deposit_cents)
        else:
            opening = session.get(DepositEntry, box.lend_entry_id) if box.lend_entry_id else None
            closes = ("forfeited",) if kind == "reinstated" else ("taken", "reinstated")
            if opening is None or opening.kind not in closes:
                continue  # lent without a deposit: nothing to move
            org_id = event.org_id if kind == "refunded" else opening.org_id
            last = DepositEntry(kind=kind, org_id=org_id, amount_cents=opening.amount_cents,
                                lend_entry_id=opening.id)
        last.container_id = box.id
        last.event_id = event.id
        last.occurred_at = event.occurred_at
        session.add(last)
        session.flush()
        box.lend_entry_id = last.id
        box.deposit_held_cents = last.amount_cents if kind in ("taken", "reinstated") else 0
    return last


def _join_open_batch(session: Session, item: Item, actor: User, batch: str | None,
                     quantity: int) -> Batch:
    stmt = select(Batch).where(Batch.status == "open", Batch.type_id == item.type_id)
    if batch is not None:
        # Ids beyond 64 bits (or non-ASCII digits) would crash the driver: names then.
        as_id = batch.isascii() and batch.isdigit() and int(batch) < 2**63
        by_id = Batch.id == int(batch) if as_id else Batch.code == batch
        stmt = stmt.where(by_id | (Batch.code == batch))
    else:
        stmt = stmt.where(Batch.site_id == actor.org_id)
    stmt = stmt.order_by(Batch.opened_at.desc()).with_for_update(of=Batch)
    found = session.scalars(stmt).first()
    if found is None:
        raise InvalidTransition(
            "Aucun lot ouvert pour « {type} » chez {site} : ouvrez un lot d'abord.",
            type=item.type.name, site=actor.org.name,
        )
    found.inputs += quantity
    return found


def _record_context(session: Session, item: Item) -> dict:
    """Facts a refusal message may quote: what the record shows."""
    last = session.scalar(
        select(Event.occurred_at)
        .where((Event.container_id if isinstance(item, Container) else Event.crate_id) == item.id)
        .order_by(Event.occurred_at.desc()).limit(1)
    )
    batch = session.get(Batch, item.batch_id) if item.batch_id else None
    since = last or item.created_at
    return {
        "state_label": STATE_LABELS[item.state],
        "holder": item.holder.name,
        "since": since.strftime("%d/%m/%Y à %H:%M UTC"),
        "batch": batch.code if batch else "?",
        "reason": item.reject_reason or "?",
    }


def scan_body(session: Session, result: ScanResult) -> dict:
    """The API answer for a recorded scan."""
    deposit = result.deposit
    return {
        "event": describe_event(result.event),
        "item": describe_item(session, result.item),
        "deposit": None if deposit is None else {
            "kind": deposit.kind,
            "amount_cents": deposit.amount_cents,
            "org": result.event.org.code if deposit.org_id == result.event.org_id else None,
        },
    }


def submit_scan(session: Session, actor: User, data: object) -> tuple[int, dict]:
    """Record a scan at most once per idempotency key; return (status, body).

    A key seen before answers 200 with the body first given (refusals included,
    so a replayed offline queue always gets the same verdict). Bad input (422)
    is not remembered: the client may correct it and send again.
    """
    if not isinstance(data, dict):
        raise ValidationError("Un scan est un objet JSON.")
    key = required_str(data, "idempotency_key", max_length=100)
    known = _stored(session, key, actor)
    if known is not None:
        return known
    fields = {
        "code": required_str(data, "code", max_length=200),
        "action": required_str(data, "action", max_length=20),
        "occurred_at": parse_time(data.get("occurred_at")),
        "to": optional_str(data, "to", max_length=64),
        "reason": optional_str(data, "reason", max_length=32),
        "quantity": optional_int(data.get("quantity"), field="quantity"),
        "batch": optional_str(data, "batch", max_length=32),
    }
    try:
        with session.begin_nested():
            stored = IdempotentResponse(key=key, org_id=actor.org_id, status=0, body={})
            session.add(stored)
            session.flush()
    except IntegrityError:
        known = _stored(session, key, actor)
        if known is None:
            raise Conflict("Clé d'idempotence en cours d'utilisation : réessayez.") from None
        return known
    try:
        with session.begin_nested():
            result = record_scan(session, actor=actor, idempotency_key=key, **fields)
            status, body = 201, scan_body(session, result)
    except ValidationError:
        session.delete(stored)
        raise
    except BouteillesError as exc:
        status, body = exc.status, error_body(exc)
    stored.status, stored.body = status, body
    session.flush()
    return status, body


def _stored(session: Session, key: str, actor: User) -> tuple[int, dict] | None:
    known = session.get(IdempotentResponse, key, populate_existing=True)
    if known is None or known.status == 0:
        return None
    if known.org_id != actor.org_id:
        raise Conflict("Cette clé d'idempotence a déjà servi à une autre organisation.")
    return 200, known.body


def error_body(exc: BouteillesError) -> dict:
    """The API error shape (French message; routes may translate)."""
    return {"error": {"code": exc.code, "message": str(exc)}}
