"""Undo an item's latest event: a new event that names it, never a deletion.

The log and the ledger stay append-only. An undo puts the item back in the
state, with the holder, the batch and the deposit it had before the undone
event, and answers each ledger entry that event wrote (`reverse_entries`):

- a deposit `taken` at a lend is `cancelled` (given back to the customer);
- a `refunded` deposit is `reclaimed` (taken again from the customer) and the
  lender's deposit `reopened`, so that the next refund closes it and settles
  with the lender; a reclaimed refund settles with no one;
- a `forfeited` deposit is `reinstated`, a reinstated one `forfeited` again.

Who may: the organisation that recorded the event, within `UNDO_MINUTES` of
recording it; an admin coordinator at any time (a correction, with a reason).
An undone ownership transfer gives the object back to its previous owner (the
undo's `detail` names both owners, as the transfer's does).
A batch's close is corrected with the batch (`batch_correction`), a
commissioning by rejecting the object, a relabel by relabelling again: none
is undone here. An undo is not undone: scanning the object again redoes the
move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...formatting import ParisTime
from ...models import MAX_ID, Batch, Container, Crate, DepositEntry, Event, User, utcnow
from ...vocabulary import ACTION_DONE_LABELS
from .. import access
from ..deposits import OPENING_KINDS
from ..errors import Forbidden, InvalidTransition, NotFound, ValidationError
from ..items.lookup import describe_event, describe_item
from ..territories import require_within
from .statements import ADD_INPUTS

# Events no undo reverts, and what to do instead.
NOT_UNDONE = {
    "undo": _l("Ce mouvement annule déjà le précédent : scannez de nouveau l'objet pour "
               "refaire le mouvement."),
    "commission": _l("Une mise en service ne s'annule pas : écartez l'objet s'il n'aurait "
                     "pas dû être mis en service."),
    "batch_close": _l("La clôture d'un lot ne s'annule pas objet par objet : corrigez le "
                      "lot (comptes du lot)."),
    "relabel": _l("Un remplacement d'étiquette ne s'annule pas : remplacez-la de nouveau."),
}
MAX_REASON = 200


@dataclass
class Undone:
    """What an undo wrote: its event, the item after it, the last ledger entry."""

    event: Event
    item: Container | Crate
    deposit: DepositEntry | None

    def body(self, session: Session) -> dict:
        """The API answer: the undo's event (naming the event it undoes), the item
        as it is now, and the deposit it moved (None when none)."""
        deposit = self.deposit
        return {
            "event": describe_event(self.event),
            "item": describe_item(session, self.item),
            "deposit": None if deposit is None else {
                "kind": deposit.kind, "amount_cents": deposit.amount_cents,
                "org": self.event.org.code if deposit.org_id == self.event.org_id else None},
        }


def undo_event(session: Session, actor: User, event_id: int, *, undo_minutes: float,
               reason: str | None = None, idempotency_key: str | None = None,
               now: datetime | None = None) -> Undone:
    """Undo event `event_id`, which must be its item's latest; refusals raise
    (NotFound, Forbidden, InvalidTransition, ValidationError) before any write."""
    now = now or utcnow()
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationError(_l("Le motif tient en %(max)s caractères.", max=MAX_REASON))
    undone = session.get(Event, event_id) if 0 < event_id <= MAX_ID else None
    if undone is None:
        raise NotFound(_l("Aucun mouvement n° %(id)s.", id=event_id))
    item = _locked_item(session, undone)
    _check_may_undo(session, actor, undone, item, now=now, undo_minutes=undo_minutes)

    event = Event(
        action="undo", code=item.code, container_id=undone.container_id,
        crate_id=undone.crate_id, type_id=item.type_id, org_id=actor.org_id,
        user_id=actor.id, from_holder_id=item.holder_id, holder_id=undone.from_holder_id,
        from_state=item.state, to_state=undone.from_state,
        quantity=undone.quantity - undone.quantity_delta,
        quantity_delta=-undone.quantity_delta, batch_id=undone.batch_id,
        idempotency_key=idempotency_key, undoes_id=undone.id,
        detail=_undo_detail(undone, item, reason), territory_id=actor.territory_id,
        occurred_at=now, recorded_at=now)
    session.add(event)
    session.flush()
    if undone.action == "wash" and undone.batch_id is not None:
        session.execute(ADD_INPUTS, {"row_id": undone.batch_id, "n": -undone.quantity})
        session.get(Batch, undone.batch_id, populate_existing=True)
    deposit = None
    if isinstance(item, Container):
        deposit = _restore_container(session, item, undone, event, now=now)
    else:
        item.quantity = undone.quantity - undone.quantity_delta
        if undone.action == "wash":
            item.batch_id = None
    if undone.action == "transfer":
        item.owner_id = undone.detail["from_owner"]
        session.expire(item, ["owner"])
    item.state = undone.from_state
    item.holder_id = undone.from_holder_id
    item.reject_reason = None
    item.updated_at = now
    session.flush()
    session.expire(item, ["holder"])
    return Undone(event, item, deposit)


def _undo_detail(undone: Event, item: Container | Crate, reason: str | None) -> dict | None:
    """The undo's detail: its reason; for a transfer, the owners before and after it."""
    detail: dict = {"reason": reason} if reason else {}
    if undone.action == "transfer":
        detail.update(from_owner=item.owner_id, owner=undone.detail["from_owner"])
    return detail or None


def _locked_item(session: Session, undone: Event) -> Container | Crate:
    """The event's item, locked until the transaction ends (PostgreSQL; SQLite holds
    the write lock): a scan at the same moment then decides on the undone state."""
    model, item_id = (Container, undone.container_id) if undone.container_id is not None \
        else (Crate, undone.crate_id)
    # The bare row locked first, then loaded with its joined rows (items.lookup.find_item
    # says why).
    session.execute(select(model.id).where(model.id == item_id).with_for_update())
    return session.scalars(select(model).where(model.id == item_id)
                           .execution_options(populate_existing=True)).one()


def _check_may_undo(session: Session, actor: User, undone: Event, item: Container | Crate, *,
                    now: datetime, undo_minutes: float) -> None:
    admin = access.may(actor, "administer")
    if not admin and undone.org_id != actor.org_id:
        raise Forbidden(_l("Seule l'organisation qui a enregistré ce mouvement, ou un "
                           "administrateur de la coordination, peut l'annuler."))
    require_within(actor, home=item.territory_id, holder=item.holder.territory_id)
    if undone.action in NOT_UNDONE:
        raise InvalidTransition(NOT_UNDONE[undone.action])
    column = Event.container_id if isinstance(item, Container) else Event.crate_id
    latest = session.scalars(select(Event).where(column == item.id)
                             .order_by(Event.id.desc()).limit(1)).one()
    if latest.id != undone.id:
        raise InvalidTransition(_l(
            "Seul le dernier mouvement d'un objet s'annule : celui-ci a été suivi de "
            "« %(action)s » le %(when)s.", action=_l(ACTION_DONE_LABELS[latest.action]),
            when=ParisTime(latest.occurred_at)))
    if not admin and now - undone.recorded_at > timedelta(minutes=undo_minutes):
        raise InvalidTransition(_l(
            "Trop tard pour annuler : un mouvement s'annule dans les %(minutes)s minutes qui "
            "suivent ; demandez une correction à la coordination.",
            minutes=f"{undo_minutes:g}"))


def _restore_container(session: Session, box: Container, undone: Event, event: Event, *,
                       now: datetime) -> DepositEntry | None:
    """The container's projection as before `undone`, and the ledger entries that
    answer those `undone` wrote; the last of them (None when it wrote none)."""
    written = list(session.scalars(select(DepositEntry).where(DepositEntry.event_id == undone.id)
                                   .order_by(DepositEntry.id)))
    opening = session.get(DepositEntry, box.lend_entry_id) if box.lend_entry_id else None
    last = None
    for entry in reversed(written):
        for answer in reverse_entries(session, entry, opening):
            session.add(DepositEntry(
                kind=answer["kind"], org_id=answer["org_id"], container_id=box.id,
                event_id=event.id, amount_cents=answer["amount_cents"],
                lend_entry_id=answer["lend_entry_id"] or (last.id if last else None),
                territory_id=event.territory_id, occurred_at=now, recorded_at=now))
            session.flush()
            last = session.scalars(select(DepositEntry).where(DepositEntry.event_id == event.id)
                                   .order_by(DepositEntry.id.desc()).limit(1)).one()
        opening = last
    if last is not None:  # as a move does: the last entry, held if it opens a deposit
        box.lend_entry_id = last.id
        box.deposit_held_cents = last.amount_cents if last.kind in OPENING_KINDS else 0
    if undone.action == "wash":
        box.batch_id = None
    box.lent_at = _lent_at_before(session, box, undone) if undone.from_state == "in_use" \
        else None
    return last


def reverse_entries(session: Session, entry: DepositEntry,
                    opening: DepositEntry | None) -> list[dict]:
    """The entries that answer `entry`, `opening` being the container's open entry
    (an entry's `lend_entry_id` None: the previous one of the list)."""
    same = {"org_id": entry.org_id, "amount_cents": entry.amount_cents}
    if entry.kind == "taken":
        return [{"kind": "cancelled", "lend_entry_id": entry.id, **same}]
    if entry.kind == "refunded":
        lender = session.get(DepositEntry, entry.lend_entry_id)
        return [{"kind": "reclaimed", "lend_entry_id": entry.id, **same},
                {"kind": "reopened", "lend_entry_id": None, "org_id": lender.org_id,
                 "amount_cents": entry.amount_cents}]
    if entry.kind == "forfeited":
        return [{"kind": "reinstated", "lend_entry_id": entry.id, **same}]
    if entry.kind == "reinstated":  # forfeit what is open: it, or what reopened it
        closes = opening.id if opening is not None and opening.kind in OPENING_KINDS \
            else entry.id
        return [{"kind": "forfeited", "lend_entry_id": closes, **same}]
    raise InvalidTransition(_l("Ce mouvement a déjà été corrigé."))


def _lent_at_before(session: Session, box: Container, undone: Event) -> datetime | None:
    """When the box last went to a customer before `undone`."""
    return session.scalar(
        select(Event.occurred_at).where(Event.container_id == box.id, Event.id < undone.id,
                                        Event.to_state == "in_use")
        .order_by(Event.id.desc()).limit(1))
