"""Putting containers and crates into service (commissioning)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import STATES, Container, ContainerType, Crate, Event, Label, Organisation, User
from ...models import utcnow as _utcnow
from .. import lifecycle
from ..errors import Forbidden, InvalidTransition, UnknownCode, ValidationError
from ..items.codes import new_code
from ..items.lookup import find_label, get_org, get_type, parse_code

MAX_COMMISSION = 10_000
MAX_CRATE_QUANTITY = 1_000_000
# A new crate starts in any state but these: it is not out of the loop, nor in a batch.
CRATE_START_STATES = tuple(s for s in STATES if s not in ("rejected", "lost", "washing"))


def _check_may_commission(actor: User) -> None:
    if not lifecycle.may_act(actor.org.kind, "commission"):
        raise Forbidden(_l("Seuls la coordination et les sites de lavage mettent en service."))


def mint_codes(session: Session, count: int, ctype: ContainerType | None = None) -> list[str]:
    """Reserve `count` new random codes (labels attached to nothing yet)."""
    codes: list[str] = []
    while len(codes) < count:
        code = new_code()
        if code in codes or session.get(Label, code) is not None:
            continue  # 40 bits: a collision is rare but must not merge two things
        codes.append(code)
    session.add_all(Label(code=c, type_id=ctype.id if ctype else None) for c in codes)
    session.flush()
    return codes


def _commission_event(actor: User, item: Container | Crate, quantity: int) -> Event:
    now = item.created_at or _utcnow()
    event = Event(
        action="commission", code=item.code, type_id=item.type_id, org_id=actor.org_id,
        user_id=actor.id, holder_id=item.holder_id, from_state=None, to_state=item.state,
        quantity=quantity, territory_id=actor.territory_id, occurred_at=now, recorded_at=now,
    )
    if isinstance(item, Crate):
        event.crate_id = item.id
    else:
        event.container_id = item.id
    return event


def commission_containers(
    session: Session, *, actor: User, type_code: str, count: int, holder_code: str | None,
    at: datetime | None = None, codes: list[str] | None = None,
) -> list[Container]:
    """Put `count` new labelled containers into service, clean, at `holder`.

    `codes`: minted labels (attached to nothing yet) to use instead of new ones.
    """
    _check_may_commission(actor)
    if not 1 <= count <= MAX_COMMISSION:
        raise ValidationError(_l("Entre 1 et %(n)s contenants à la fois.", n=MAX_COMMISSION))
    ctype = get_type(session, type_code)
    holder = get_org(session, holder_code) if holder_code else actor.org
    if codes is None:
        codes = mint_codes(session, count, ctype)
    elif len(codes) != count or any(_is_used(session, code) for code in codes):
        raise ValidationError(_l("Ces codes ne sont pas tous des étiquettes libres."))
    boxes = [_new_container(code, ctype, holder, actor.org, at) for code in codes]
    session.add_all(boxes)
    session.flush()
    _attach(session, boxes)
    session.add_all(_commission_event(actor, box, 1) for box in boxes)
    session.flush()
    return boxes


def _is_used(session: Session, code: str) -> bool:
    label = session.get(Label, code)
    return label is None or label.container_id is not None or label.crate_id is not None


def _new_container(code: str, ctype: ContainerType, holder: Organisation,
                   owner: Organisation, at: datetime | None = None) -> Container:
    now = at or _utcnow()
    return Container(code=code, type_id=ctype.id, holder_id=holder.id, owner_id=owner.id,
                     state="clean", type=ctype, holder=holder, created_at=now,
                     territory_id=owner.territory_id,
                     updated_at=now, last_event_at=now)


def _attach(session: Session, items: list[Container] | list[Crate]) -> None:
    for item in items:
        label = session.get(Label, item.code)
        label.territory_id = item.territory_id
        if isinstance(item, Crate):
            label.crate_id = item.id
        else:
            label.container_id = item.id


def create_crate(
    session: Session, *, actor: User, type_code: str, quantity: int,
    holder_code: str | None, state: str = "clean", at: datetime | None = None,
    batch_id: int | None = None,
) -> Crate:
    """Put a new crate carrying `quantity` containers of one type into service.

    `batch_id`: the washing batch whose clean output the crate carries (kept on the
    commission event, so a batch's released crates can be listed).
    """
    _check_may_commission(actor)
    if state not in CRATE_START_STATES:
        raise ValidationError(_l("État de départ impossible pour une caisse : %(state)s.",
                                 state=state))
    ctype = get_type(session, type_code)
    holder = get_org(session, holder_code) if holder_code else actor.org
    if not 0 <= quantity <= MAX_CRATE_QUANTITY:
        raise ValidationError(_l("Une caisse porte de 0 à 1 000 000 contenants."))
    code = mint_codes(session, 1, ctype)[0]
    now = at or _utcnow()
    crate = Crate(code=code, type_id=ctype.id, holder_id=holder.id, owner_id=actor.org_id,
                  quantity=quantity, state=state, type=ctype, holder=holder, created_at=now,
                  territory_id=actor.territory_id,
                  updated_at=now, last_event_at=now)
    session.add(crate)
    session.flush()
    _attach(session, [crate])
    event = _commission_event(actor, crate, quantity)
    event.batch_id = batch_id
    session.add(event)
    session.flush()
    return crate


def commission_code(session: Session, *, actor: User, code: str,
                    type_code: str | None = None, at: datetime | None = None,
                    idempotency_key: str | None = None) -> Container:
    """Commission a minted label on its first scan (clean, at the scanning site).

    `at`: when the scan was made (an offline phone replays it later).
    """
    _check_may_commission(actor)
    code = parse_code(code)
    label = find_label(session, code)
    if label is None:
        raise UnknownCode(_l("Le code %(code)s n'a jamais été imprimé par le réseau.", code=code))
    if label.container_id or label.crate_id:
        raise InvalidTransition(_l("Le code %(code)s est déjà en service.", code=code))
    if type_code is None and label.type_id is None:
        raise ValidationError(_l("Précisez le type de contenant à mettre en service."))
    ctype = get_type(session, type_code) if type_code else session.get(ContainerType,
                                                                        label.type_id)
    box = _new_container(code, ctype, actor.org, actor.org, at)
    session.add(box)
    session.flush()
    label.container_id = box.id
    event = _commission_event(actor, box, 1)
    event.recorded_at, event.idempotency_key = _utcnow(), idempotency_key
    session.add(event)
    session.flush()
    return box
