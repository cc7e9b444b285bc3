"""Finding tracked things by code, and describing them."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ...formatting import ParisTime
from ...i18n import N_
from ...models import Batch, Container, ContainerType, Crate, Event, Label, Organisation
from ...vocabulary import STATE_LABELS
from .. import access
from ..errors import Forbidden, NotFound, UnknownCode, ValidationError
from ..territories import Scope, scope_of
from ..territories import deposit_cents as territory_deposit
from .codes import InvalidCode, normalize_code

Item = Container | Crate



# How a refusal names an organisation the reader has no business knowing.
ANOTHER_MEMBER = N_("un autre membre du réseau")


def org_name_for(*, org_id: int, name: str, viewer_org_id: int, viewer_kind: str) -> object:
    """An organisation's name as `viewer` may read it in a message: their own, or
    any for the coordination; otherwise only "another member" (in the reader's language)."""
    if org_id == viewer_org_id or access.may(viewer_kind, "oversee_network"):
        return name
    return _l(ANOTHER_MEMBER)


def record_facts(*, state: str, holder_id: int, holder_name: str, viewer_org_id: int,
                 viewer_kind: str, since: datetime, batch: str | None,
                 reason: str | None) -> dict:
    """Facts a refusal message may quote (lifecycle's %(fields)s): what the record
    shows, told to the viewer (the holder is named to itself and the coordination).
    `since` is written when the message is, in Paris time and the reader's locale."""
    return {
        "state_label": _l(STATE_LABELS[state]),
        "holder": org_name_for(org_id=holder_id, name=holder_name,
                               viewer_org_id=viewer_org_id, viewer_kind=viewer_kind),
        "since": ParisTime(since),
        "batch": batch or "?",
        "reason": reason or "?",
    }


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC, the one form the API answers with."""
    return moment.astimezone(UTC).isoformat()


def parse_code(text: str) -> str:
    """Canonical code from typed or scanned text, or a validation error."""
    try:
        return normalize_code(text)
    except InvalidCode as exc:
        raise ValidationError(_l("Code invalide : %(detail)s.", detail=exc.message)) from exc


def find_label(session: Session, code: str) -> Label | None:
    """The label row of a canonical code, if the code was ever minted or attached."""
    return session.get(Label, code)


def find_item(session: Session, code: str, *, for_update: bool = False) -> Item | None:
    """The container or crate carrying `code` (current or replaced label)."""
    label = session.get(Label, code)
    if label is None or (label.container_id is None and label.crate_id is None):
        return None
    model, item_id = (Container, label.container_id) if label.container_id else (
        Crate, label.crate_id)
    stmt = select(model).where(model.id == item_id)
    if for_update:
        # Lock the bare row first, then load it with its joined holder and type.
        # One `SELECT … JOIN … FOR UPDATE OF` is wrong on PostgreSQL when another
        # transaction moved the thing meanwhile: the re-check after the lock wait
        # pairs the new row with the old holder's row and the outer join gives
        # NULL, so `item.holder` came back None (500s under load).
        session.execute(select(model.id).where(model.id == item_id).with_for_update())
        stmt = stmt.execution_options(populate_existing=True)
    return session.scalars(stmt).one()


def get_item(session: Session, text: str, *, for_update: bool = False) -> Item:
    """The item for a typed code; unknown codes raise UnknownCode."""
    code = parse_code(text)
    item = find_item(session, code, for_update=for_update)
    if item is None:
        raise UnknownCode(_l(
            "Le code %(code)s n'est pas en service dans le réseau. Vérifiez l'étiquette.",
            code=code,
        ))
    return item


def item_in_scope(scope: Scope, item: Item) -> bool:
    """Whether a territory's coordination has the object in hand: held by one of its
    members, or of its territory (commissioned there); the national one: any."""
    return scope.has_in_hand(home=item.territory_id, holder=item.holder.territory_id)


def require_item(scope: Scope, item: Item) -> None:
    """Refuse (403) an object another territory has in hand."""
    if not item_in_scope(scope, item):
        raise Forbidden(_l("Cet objet n'est pas de votre territoire."))


def get_org(session: Session, code: str | None) -> Organisation:
    """An organisation by its slug."""
    # A NUL byte can name nothing, and PostgreSQL would refuse the query.
    org = None if "\x00" in (code or "") else session.scalar(
        select(Organisation).where(Organisation.code == (code or "")))
    if org is None:
        raise NotFound(_l("Aucune organisation « %(code)s ».", code=code))
    return org


def readable_org(session: Session, actor, org_code: str | None) -> tuple[int | None, Scope]:
    """What a reader's `?org=` reads: a member its own organisation (another's: 403);
    the coordination one member of its territory (another territory's: 403), or,
    without `org`, all of them (the scope)."""
    if access.may(actor, "oversee_network"):
        scope = scope_of(actor.org)
        if not org_code:
            return None, scope
        org = get_org(session, org_code)
        scope.require(org)
        return org.id, scope
    if org_code and org_code != actor.org.code:
        access.require(actor, "oversee_network")
    return actor.org_id, Scope.WHOLE


def get_type(session: Session, code: str | None) -> ContainerType:
    """A container type by its slug."""
    ctype = None if "\x00" in (code or "") else session.scalar(
        select(ContainerType).where(ContainerType.code == (code or "")))
    if ctype is None:
        raise NotFound(_l("Aucun type de contenant « %(code)s ».", code=code))
    return ctype


def item_body(*, code: str, kind: str, type_code: str, type_name: str, family: str,
              state: str, holder_code: str, holder_name: str, owner_code: str,
              cycles: int, quantity: int,
              deposit_cents: int, deposit_held_cents: int, reject_reason: str | None,
              batch: str | None, updated_at: datetime) -> dict:
    """The API description of an item (without history), from plain values: the one
    shape of an item in every answer, whether read through the ORM or planned by a move."""
    return {
        "code": code, "kind": kind, "type": type_code, "type_name": type_name,
        "family": family, "state": state, "holder": holder_code, "holder_name": holder_name,
        "owner": owner_code, "cycles": cycles, "quantity": quantity, "deposit_cents": deposit_cents,
        "deposit_held_cents": deposit_held_cents, "reject_reason": reject_reason,
        "batch": batch, "updated_at": iso(updated_at),
    }


def describe_item(session: Session, item: Item) -> dict:
    """The API description of an item (without history)."""
    batch_code = None
    if item.batch_id is not None:
        batch_code = session.scalar(select(Batch.code).where(Batch.id == item.batch_id))
    container = isinstance(item, Container)
    return item_body(
        code=item.code, kind=item.kind, type_code=item.type.code, type_name=item.type.name,
        family=item.type.family, state=item.state, holder_code=item.holder.code,
        holder_name=item.holder.name, owner_code=item.owner.code, cycles=item.cycles,
        quantity=item.quantity if isinstance(item, Crate) else 1,
        deposit_cents=territory_deposit(session, item.type, item.territory_id) if container else 0,
        deposit_held_cents=getattr(item, "deposit_held_cents", 0),
        reject_reason=item.reject_reason, batch=batch_code, updated_at=item.updated_at)


def item_history(session: Session, item: Item, *, limit: int = 200) -> list[Event]:
    """The item's events, oldest first."""
    column = Event.container_id if isinstance(item, Container) else Event.crate_id
    stmt = select(Event).where(column == item.id).order_by(Event.occurred_at, Event.id)
    return list(session.scalars(stmt.limit(limit)))


def recent_events(session: Session, item: Item, *, limit: int = 50) -> list[Event]:
    """The item's latest events, newest first (its latest is the one an undo reverts)."""
    column = Event.container_id if isinstance(item, Container) else Event.crate_id
    return list(session.scalars(select(Event).where(column == item.id)
                                .order_by(Event.id.desc()).limit(limit)))


def can_see_history(session: Session, item: Item, org: Organisation) -> bool:
    """Whether `org` may read the item's history: the coordination, or a member
    that appears in it (recorded one of its events, held it before or after one).

    The coordination of a territory reads the objects it has in hand
    (`item_in_scope`). Everyone else learns the type and the state, not who had
    the thing."""
    if item.holder_id == org.id or (access.may(org, "oversee_network")
                                    and item_in_scope(scope_of(org), item)):
        return True
    column = Event.container_id if isinstance(item, Container) else Event.crate_id
    appears = or_(Event.org_id == org.id, Event.holder_id == org.id,
                  Event.from_holder_id == org.id)
    return session.scalar(select(Event.id).where(column == item.id, appears).limit(1)) \
        is not None


def visible_history(session: Session, item: Item, org: Organisation) -> list[Event] | None:
    """The item's history if `org` may read it (`can_see_history`), else None."""
    return item_history(session, item) if can_see_history(session, item, org) else None


def event_body(*, id: int | None, action: str, code: str, org: str, holder: str,
               from_state: str | None, to_state: str | None, quantity: int,
               quantity_delta: int, reason: str | None, anomaly: str | None,
               occurred_at: datetime, recorded_at: datetime) -> dict:
    """The API description of an event, from plain values (one shape everywhere)."""
    return {
        "id": id, "action": action, "code": code, "org": org, "holder": holder,
        "from_state": from_state, "to_state": to_state, "quantity": quantity,
        "quantity_delta": quantity_delta, "reason": reason, "anomaly": anomaly,
        "occurred_at": iso(occurred_at), "recorded_at": iso(recorded_at),
    }


def describe_event(event: Event) -> dict:
    """The API description of an event (an undo also names the event it undoes)."""
    body = event_body(
        id=event.id, action=event.action, code=event.code, org=event.org.code,
        holder=event.holder.code, from_state=event.from_state, to_state=event.to_state,
        quantity=event.quantity, quantity_delta=event.quantity_delta, reason=event.reason,
        anomaly=event.anomaly, occurred_at=event.occurred_at, recorded_at=event.recorded_at)
    if event.undoes_id is not None:
        body["undoes"] = event.undoes_id
    return body
