"""Replace a damaged label: the object takes a new code and keeps its history.

The old label stays in the labels table, detached (`detached_at`), still naming
the object: a lookup of the old code finds the object under its new code, its
public page says it was replaced, and a scan of it is refused with the new
code named (`container_move.replaced`). The relabel is an event of the object
(`relabel`, state and holder unchanged, `detail.replaces` the old code), so
the history reads it in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Container, Crate, Event, Label, User, utcnow
from .. import access
from ..errors import Conflict, UnknownCode, ValidationError
from ..items.lookup import find_label, parse_code
from ..territories import require_within
from .commission import mint_codes


@dataclass(frozen=True)
class Relabelled:
    code: str
    replaces: str

    @property
    def body(self) -> dict:
        return {"code": self.code, "replaces": self.replaces}


def relabel_item(session: Session, actor: User, code: str, *,
            new_code: str | None = None) -> Relabelled:
    """Give the object labelled `code` the minted, unused label `new_code` (else a
    new one): refusals raise before anything is written."""
    access.require(actor, "relabel")
    try:
        old = parse_code(code)
    except ValidationError:
        old = None  # a mistyped code names no object (the URL's: 404)
    label = find_label(session, old) if old is not None else None
    if label is None or (label.container_id is None and label.crate_id is None):
        raise UnknownCode(_l("Le code %(code)s n'est pas en service dans le réseau.",
                             code=old or code[:40]))
    item = _locked(session, label)
    require_within(actor, home=item.territory_id, holder=item.holder.territory_id)
    if label.detached_at is not None:
        raise Conflict(_l("Cette étiquette a déjà été remplacée par %(code)s.", code=item.code))
    if new_code is None:
        new = mint_codes(session, 1, item.type)[0]
        target = session.get(Label, new)
    else:
        new = parse_code(new_code)
        target = find_label(session, new)
        if target is None:
            raise ValidationError(_l("Le code %(code)s n'a pas été imprimé par le réseau : "
                                     "prenez une étiquette vierge du réseau.", code=new))
        if target.container_id is not None or target.crate_id is not None \
                or target.detached_at is not None:
            raise Conflict(_l("L'étiquette %(code)s sert déjà : prenez une étiquette vierge.",
                              code=new))
    now = utcnow()
    label.detached_at = now
    target.type_id = item.type_id
    target.territory_id = item.territory_id
    target.attached_at = now
    if isinstance(item, Container):
        target.container_id = item.id
    else:
        target.crate_id = item.id
    session.add(Event(
        action="relabel", code=new, container_id=label.container_id, crate_id=label.crate_id,
        type_id=item.type_id, org_id=actor.org_id, user_id=actor.id,
        from_holder_id=item.holder_id, holder_id=item.holder_id, from_state=item.state,
        to_state=item.state, quantity=getattr(item, "quantity", 1), quantity_delta=0,
        detail={"replaces": item.code}, territory_id=actor.territory_id, occurred_at=now,
        recorded_at=now))
    replaces = item.code
    item.code = new
    item.updated_at = now
    session.flush()
    return Relabelled(new, replaces)


def _locked(session: Session, label: Label) -> Container | Crate:
    """The labelled object, its row locked (PostgreSQL; SQLite holds the write lock)."""
    model, item_id = (Container, label.container_id) if label.container_id is not None \
        else (Crate, label.crate_id)
    session.execute(select(model.id).where(model.id == item_id).with_for_update())
    return session.scalars(select(model).where(model.id == item_id)
                           .execution_options(populate_existing=True)).one()
