"""Ownership transfers: the owner of a container or a crate changes, nothing else.

The cooperative's pool sells bottles to a winegrower, a territory hands boxes to
another: the objects stay where and as they are (state, holder, deposit), their
`owner_id` changes, and each object gets a `transfer` event naming the owners
before and after in its `detail` (`{"from_owner": id, "owner": id}`), so the
history and the EPCIS export (owning parties) read it.

Who: the coordination's administrators (`access`: "transfer"); a territory's
coordination only for the objects it has in hand (`require_within`), to its
members or the national coordination (`items.ownership.may_own`): a hand-over
to another territory goes through the national coordination, which sees both. The
object's home territory (`territory_id`) does not change: it is the partition
key of the object's rows and of its labels (docs/scaling.md), and the deposit
it was lent against; the new owner's territory reads the object through its
owner (the stock by owner).

A list of codes is written whole or not at all: every code is checked first.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Container, Crate, Event, Organisation, User, utcnow
from ...vocabulary import STATE_LABELS
from .. import access, lifecycle
from ..errors import Conflict, Forbidden, InvalidTransition, UnknownCode, ValidationError
from ..items.lookup import describe_event, describe_item, find_label, get_org, parse_code
from ..items.ownership import may_own
from ..territories import require_within, scope_of

MAX_TRANSFER = 2000  # codes in one list (a pallet is ~1,200 bottles)


@dataclass
class Transferred:
    """What a transfer wrote: one event per object, the objects after it."""

    events: list[Event]
    items: list[Container | Crate]
    owner: Organisation

    def body(self, session: Session) -> dict:
        """The API answer of a one-object transfer: its event and the item now."""
        return {"event": describe_event(self.events[0]),
                "item": describe_item(session, self.items[0])}


def transfer_ownership(session: Session, actor: User, codes: list[str], to: str, *,
                       idempotency_key: str | None = None) -> Transferred:
    """Make `to` (an organisation's code) the owner of the objects labelled `codes`;
    every refusal raises before anything is written."""
    access.require(actor, "transfer")
    codes = list(dict.fromkeys(code.strip() for code in codes if code and code.strip()))
    if not codes:
        raise ValidationError(_l("Donnez au moins un code."))
    if len(codes) > MAX_TRANSFER:
        raise ValidationError(_l("%(max)s codes au plus par transfert.", max=MAX_TRANSFER))
    items = [_checked(session, actor, code) for code in codes]
    owner = get_org(session, to)
    if session.scalar(select(Organisation.id).where(
            Organisation.id == owner.id, may_own(scope_of(actor.org)))) is None:
        raise Forbidden(_l("%(name)s ne peut pas recevoir d'objets de votre coordination : "
                           "seuls ses membres actifs, ou la coordination nationale pour un "
                           "autre territoire.", name=owner.name))
    for item in items:
        if item.owner_id == owner.id:
            raise Conflict(_l("%(code)s appartient déjà à %(name)s.", code=item.code,
                              name=owner.name))
    now = utcnow()
    events = []
    for item in items:
        event = Event(
            action="transfer", code=item.code, type_id=item.type_id, org_id=actor.org_id,
            user_id=actor.id, from_holder_id=item.holder_id, holder_id=item.holder_id,
            from_state=item.state, to_state=item.state,
            quantity=getattr(item, "quantity", 1), quantity_delta=0,
            detail={"from_owner": item.owner_id, "owner": owner.id},
            idempotency_key=idempotency_key, territory_id=actor.territory_id,
            occurred_at=now, recorded_at=now,
            **({"container_id": item.id} if isinstance(item, Container)
               else {"crate_id": item.id}))
        session.add(event)
        item.owner_id = owner.id
        item.updated_at = now
        events.append(event)
    session.flush()
    for item in items:
        session.expire(item, ["owner"])
    return Transferred(events, items, owner)


def _checked(session: Session, actor: User, code: str) -> Container | Crate:
    """The object labelled `code`, locked, whose owner `actor` may change."""
    try:
        parsed = parse_code(code)
    except ValidationError:
        raise ValidationError(_l("Le code %(code)s est mal saisi.", code=code[:40])) from None
    label = find_label(session, parsed)
    if label is None or (label.container_id is None and label.crate_id is None):
        raise UnknownCode(_l("Le code %(code)s n'est pas en service dans le réseau.",
                             code=parsed))
    item = _locked(session, label)
    if label.detached_at is not None:
        raise Conflict(_l("L'étiquette %(old)s a été remplacée par %(code)s : donnez le "
                          "nouveau code.", old=parsed, code=item.code))
    require_within(actor, home=item.territory_id, holder=item.holder.territory_id)
    if lifecycle.decide("transfer", item.state).outcome == "refused":
        raise InvalidTransition(_l(lifecycle.DEFAULT_REFUSAL["transfer"],
                                   state_label=_l(STATE_LABELS[item.state])))
    return item


def _locked(session: Session, label) -> Container | Crate:
    """The labelled object, its row locked (PostgreSQL; SQLite holds the write lock)."""
    model, item_id = (Container, label.container_id) if label.container_id is not None \
        else (Crate, label.crate_id)
    session.execute(select(model.id).where(model.id == item_id).with_for_update())
    return session.scalars(select(model).where(model.id == item_id)
                           .execution_options(populate_existing=True)).one()
