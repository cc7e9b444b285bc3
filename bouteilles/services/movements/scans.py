"""Recording scans: validate, ask the life cycle, append the event, move money.

Labelled containers move through `container_move` (a few Core statements: the
counter's lend and return are the hot path); crates and commissioning through
the ORM here. `submit_scan` adds the idempotency key and the stored answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import (
    REJECT_REASONS,
    Batch,
    Container,
    Crate,
    DepositEntry,
    Event,
    User,
    utcnow,
)
from ...vocabulary import ACTION_LABELS, KIND_LABELS
from .. import lifecycle
from ..errors import Forbidden, InvalidTransition, ValidationError
from ..items.lookup import (
    Item,
    describe_event,
    describe_item,
    get_item,
    get_org,
    parse_code,
    record_facts,
)
from ..members.accounts import Actor
from ..territories import require_within
from .commission import commission_code
from .container_move import add_inputs, join_open_batch, move_container, replaced
from .move_plan import ContainerMove, Place
from .pickup_close import close_pickup_requests

MAX_CLOCK_SKEW = timedelta(minutes=10)
MAX_OFFLINE_AGE = timedelta(days=90)


@dataclass
class ScanResult:
    event: Event
    item: Item
    deposit: DepositEntry | None


def _either(actions: list[str]) -> object:
    """« a », « b » ou « c », in the reader's language."""
    *others, last = [f"« {action} »" for action in actions]
    return _l("%(others)s ou %(last)s", others=", ".join(others), last=last)


def check_scan(kind: str, *, action: str, occurred_at: datetime, now: datetime,
               reason: str | None, to: str | None, quantity: int | None) -> None:
    """Refuse a scan whose input cannot be right, whatever the thing scanned."""
    if occurred_at > now + MAX_CLOCK_SKEW:
        raise ValidationError(_l("La date du scan est dans le futur : vérifiez l'heure du "
                                 "téléphone."))
    if occurred_at < now - MAX_OFFLINE_AGE:
        raise ValidationError(_l("Ce scan date de plus de 90 jours : il n'est plus accepté."))
    if action not in lifecycle.SCAN_ACTIONS:
        raise ValidationError(_l(
            "Action inconnue « %(action)s ». Actions possibles : %(actions)s.",
            action=action, actions=", ".join(lifecycle.SCAN_ACTIONS),
        ))
    if to is not None and not lifecycle.takes_destination(action):
        raise ValidationError(_l(
            "« to » (l'organisation destinataire) ne va qu'avec %(actions)s, pas avec "
            "« %(action)s » : retirez-le.",
            actions=_either(sorted(lifecycle.DESTINATION_ACTIONS)), action=action,
        ))
    if not lifecycle.may_act(kind, action):
        raise Forbidden(_l(
            "Votre organisation (%(kind)s) ne peut pas enregistrer « %(action)s ».",
            kind=_l(KIND_LABELS[kind]), action=_l(ACTION_LABELS[action]),
        ))
    if action == "commission":
        return
    if reason is not None and reason not in REJECT_REASONS:
        raise ValidationError(_l(
            "Motif inconnu « %(reason)s » : %(reasons)s.", reason=reason,
            reasons=", ".join(REJECT_REASONS),
        ))
    if reason is None and lifecycle.field_rule(action, "reason") == "required":
        raise ValidationError(_l("Un objet écarté doit avoir un motif : %(reasons)s.",
                                 reasons=", ".join(REJECT_REASONS)))
    if to is None and lifecycle.field_rule(action, "to") == "required":
        raise ValidationError(_l("Livrer à qui ? Indiquez l'organisation destinataire (« to »)."))
    if quantity is not None and quantity < 0:
        raise ValidationError(_l("Une quantité ne peut pas être négative."))


def _move(session: Session, actor: Actor, *, code: str, action: str, occurred_at: datetime,
          now: datetime, to: str | None, reason: str | None, batch: str | None,
          idempotency_key: str | None) -> ContainerMove | None:
    """Move a labelled container; None when `code` is not one."""
    place = None
    if to is not None:
        org = get_org(session, to)
        place = Place(org.id, org.code, org.name)
    return move_container(
        session.connection(), actor, code=parse_code(code), action=action,
        occurred_at=occurred_at, now=now, to=place, reason=reason, batch=batch,
        idempotency_key=idempotency_key)


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
    recorded_at: datetime | None = None,
) -> ScanResult:
    """Apply one scan to the record; raise a BouteillesError when it is refused.

    Labelled containers move through `container_move` (Core statements); the
    objects returned are loaded fresh. Crates are counted: `quantity` is what
    the scan found, and `split_off` the containers taken out of the crate on
    purpose (into new crates made in the same transaction), which is not a recount.
    `recorded_at` (default now) is for a history played as it was recorded (the
    demo): an ended month's figures count only what was recorded before it ended.
    """
    now = recorded_at or utcnow()
    occurred_at = occurred_at or now
    check_scan(actor.org.kind, action=action, occurred_at=occurred_at, now=now, reason=reason,
               to=to, quantity=quantity)
    if action == "commission":
        return _commission_scan(session, actor, code, occurred_at, now, idempotency_key)
    session.flush()  # the Core statements below must see what the session holds
    move = _move(session, Actor.of(actor), code=code, action=action, occurred_at=occurred_at,
                 now=now, to=to, reason=reason, batch=batch, idempotency_key=idempotency_key)
    if move is not None:
        if move.batch_id is not None:  # its input count moved under the session
            session.get(Batch, move.batch_id, populate_existing=True)
        return ScanResult(
            session.get(Event, move.event_id),
            session.get(Container, move.container_id, populate_existing=True),
            session.get(DepositEntry, move.deposit_id) if move.deposit_id else None)
    return _scan_crate(session, actor, code=code, action=action, occurred_at=occurred_at,
                       now=now, to=to, reason=reason, quantity=quantity, batch=batch,
                       idempotency_key=idempotency_key, split_off=split_off)


def _scan_crate(session: Session, actor: User, *, code: str, action: str,
                occurred_at: datetime, now: datetime, to: str | None, reason: str | None,
                quantity: int | None, batch: str | None, idempotency_key: str | None,
                split_off: int) -> ScanResult:
    """A scan of a crate (or of a code that names nothing: UnknownCode)."""
    to_org = get_org(session, to) if to is not None else None
    item = get_item(session, code, for_update=True)
    if item.code != parse_code(code):
        raise InvalidTransition(replaced(item.code))
    require_within(actor, home=item.territory_id, holder=item.holder.territory_id)
    rule = lifecycle.decide(action, item.state, reason=reason, holder_kind=item.holder.kind,
                            own=item.holder_id == actor.org_id)
    if rule.outcome == "refused":
        raise InvalidTransition(_l(rule.message, **_record_context(session, item, actor)))

    event = Event(
        action=action, code=item.code, type_id=item.type_id, org_id=actor.org_id,
        user_id=actor.id, from_holder_id=item.holder_id, from_state=item.state,
        to_state=rule.to_state, reason=reason, idempotency_key=idempotency_key,
        occurred_at=occurred_at, recorded_at=now, crate_id=item.id,
        territory_id=actor.territory_id,
        holder_id=lifecycle.next_holder(
            action, actor_org_id=actor.org_id, to_org_id=to_org.id if to_org else None,
            holder_id=item.holder_id,
        ),
    )
    event.quantity = item.quantity if quantity is None else quantity
    event.quantity_delta = event.quantity - item.quantity
    if split_off:
        event.detail = {"split_off": split_off}
    event.anomaly = lifecycle.anomaly_of(
        rule, action, holder_id=item.holder_id, actor_org_id=actor.org_id,
        actor_kind=actor.org.kind, recounted=bool(event.quantity_delta + split_off))
    if action == "wash":
        joined = join_open_batch(session.connection(), type_id=item.type_id,
                                 type_name=item.type.name, actor=Actor.of(actor), batch=batch)
        add_inputs(session.connection(), joined, event.quantity)
        session.get(Batch, joined.id, populate_existing=True)  # its count moved under us
        event.batch_id = joined.id
    session.add(event)
    session.flush()
    apply_event(item, event)
    session.flush()
    close_pickup_requests(session.connection(), action=action, from_holder_id=event.from_holder_id,
                          org_id=actor.org_id, event_id=event.id, occurred_at=occurred_at)
    # The loaded `holder` still names the previous holder: reload it from holder_id,
    # or the answer would report where the thing was (found by the stateful test).
    session.expire(item, ["holder"])
    return ScanResult(event, item, None)


def _commission_scan(session: Session, actor: User, code: str, occurred_at: datetime,
                     now: datetime, idempotency_key: str | None) -> ScanResult:
    """First scan of a minted label: put it into service, clean, at the scanning site."""
    box = commission_code(session, actor=actor, code=code, at=occurred_at,
                          idempotency_key=idempotency_key)
    box.updated_at = now
    session.flush()
    event = session.scalars(select(Event).where(Event.container_id == box.id)).one()
    return ScanResult(event, box, None)


def apply_event(crate: Crate, event: Event) -> None:
    """Update a crate's current-state projection from one event."""
    crate.quantity = event.quantity
    crate.batch_id = lifecycle.batch_after(event.from_state, event.to_state,
                                           batch_id=crate.batch_id, joined_id=event.batch_id)
    crate.state = event.to_state
    crate.holder_id = event.holder_id
    crate.reject_reason = event.reason if event.to_state == "rejected" else None
    crate.updated_at = event.recorded_at
    crate.last_event_at = max(crate.last_event_at or event.occurred_at, event.occurred_at)


def _record_context(session: Session, crate: Crate, actor: User) -> dict:
    """What a refusal message to `actor` may quote about this crate."""
    last = session.scalar(select(func.max(Event.occurred_at)).where(Event.crate_id == crate.id))
    batch = session.get(Batch, crate.batch_id) if crate.batch_id else None
    return record_facts(state=crate.state, holder_id=crate.holder_id,
                        holder_name=crate.holder.name, viewer_org_id=actor.org_id,
                        viewer_kind=actor.org.kind,
                        since=last or crate.created_at, batch=batch.code if batch else None,
                        reason=crate.reject_reason)


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


def scan_for_api(session: Session, actor: Actor, key: str, fields: dict) -> dict:
    """Record an API scan (`fields` as `submissions` parsed them): its answer."""
    now = utcnow()
    occurred_at = fields["occurred_at"] or now
    check_scan(actor.kind, action=fields["action"], occurred_at=occurred_at, now=now,
               reason=fields["reason"], to=fields["to"], quantity=fields["quantity"])
    if fields["action"] != "commission":
        move = _move(session, actor, code=fields["code"], action=fields["action"],
                     occurred_at=occurred_at, now=now, to=fields["to"],
                     reason=fields["reason"], batch=fields["batch"], idempotency_key=key)
        if move is not None:
            return move.body
    # Crates, commissioning and unknown codes: the ORM path, in a savepoint so
    # that a refusal there leaves nothing behind.
    user = session.get(User, actor.user_id)
    with session.begin_nested():
        if fields["action"] == "commission":
            result = _commission_scan(session, user, fields["code"], occurred_at, now, key)
        else:
            result = _scan_crate(session, user, code=fields["code"], action=fields["action"],
                                 occurred_at=occurred_at, now=now, to=fields["to"],
                                 reason=fields["reason"], quantity=fields["quantity"],
                                 batch=fields["batch"], idempotency_key=key, split_off=0)
        return scan_body(session, result)
