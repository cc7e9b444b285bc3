"""What a batch close moves: its labelled containers, its crates, its counted output.

`services/batches.close_batch` checks the counts and computes the impact; the
moves of the contents are written here, with the rest of the log.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, insert, literal, select, update
from sqlalchemy.orm import Session

from ...models import Batch, Container, Crate, Event, Label, User
from ...models.base import UTCDateTime
from .. import lifecycle
from ..errors import ValidationError
from .commission import mint_codes


def close_batch_contents(session: Session, batch: Batch, *, actor: User, clean: int,
                         now: datetime) -> None:
    """Move what the batch holds as its close says: labelled containers come out
    clean (cycles + 1), crates come out empty, the clean counted output becomes
    one new crate at the site (`batch.output_crate_id`)."""
    session.flush()
    # Locked: a box scanned meanwhile (rejected, say) is waited for and then left
    # out, instead of getting a close event its row does not follow.
    washing = session.scalars(
        select(Container.id).where(Container.batch_id == batch.id, Container.state == "washing")
        .order_by(Container.id).with_for_update()
    ).all()
    if clean < len(washing):
        raise ValidationError(_l(
            "%(n)s contenants étiquetés sont dans ce lot mais seuls %(clean)s sont propres : "
            "scannez les contenants cassés avec « écarter » avant de clôturer.",
            n=len(washing), clean=clean,
        ))
    _close_containers(session, washing, batch, actor, now)
    for crate in session.scalars(
        select(Crate).where(Crate.batch_id == batch.id, Crate.state == "washing")
        .with_for_update(of=Crate)
    ):
        _close_crate(session, crate, batch, actor, now)
    counted_clean = clean - len(washing)
    if counted_clean > 0:
        batch.output_crate_id = _output_crate(session, batch, actor, counted_clean, now).id


def _close_containers(session: Session, washing: list[int], batch: Batch, actor: User,
                      now: datetime) -> None:
    """Every labelled container still washing (`washing`, their ids, locked) comes
    out clean: one event each, in bulk.

    One INSERT … SELECT of the events, built by the database from the container
    rows, and one UPDATE of the containers: no row travels through Python (an
    ORM loop took seconds for 10,000 inputs, a multi-row INSERT about one).
    """
    if not washing:
        return
    rule = lifecycle.decide("batch_close", "washing")
    site_id = lifecycle.next_holder("batch_close", actor_org_id=actor.org_id, to_org_id=None,
                                    holder_id=batch.site_id, site_id=batch.site_id)
    cycles = Container.cycles + (1 if lifecycle.completes_cycle("batch_close", rule.to_state)
                                 else 0)
    closing = (Container.batch_id == batch.id) & (Container.state == "washing")
    columns = {
        "action": literal("batch_close"), "code": Container.code,
        "container_id": Container.id, "type_id": Container.type_id,
        "org_id": literal(actor.org_id), "user_id": literal(actor.id),
        "from_holder_id": Container.holder_id, "holder_id": literal(site_id),
        "from_state": literal("washing"), "to_state": literal(rule.to_state),
        "quantity": literal(1), "quantity_delta": literal(0), "batch_id": literal(batch.id),
        "territory_id": literal(actor.territory_id, Integer()),
        "occurred_at": literal(now, UTCDateTime()), "recorded_at": literal(now, UTCDateTime()),
    }
    session.execute(insert(Event).from_select(
        list(columns), select(*columns.values()).where(closing).order_by(Container.id)))
    session.execute(
        update(Container).where(closing)
        .values(state=rule.to_state, holder_id=site_id, batch_id=None, cycles=cycles,
                updated_at=now, last_event_at=now)
        .execution_options(synchronize_session=False))
    # Containers of this batch already loaded in the session reload from the rows.
    closed = set(washing)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Container) and obj.id in closed:
            session.expire(obj)


def _close_crate(session: Session, crate: Crate, batch: Batch, actor: User,
                 now: datetime) -> None:
    """A crate comes out of the batch empty; its close is an event like any move."""
    rule = lifecycle.decide("batch_close", crate.state)
    session.add(Event(
        action="batch_close", code=crate.code, crate_id=crate.id, type_id=crate.type_id,
        org_id=actor.org_id, user_id=actor.id, from_holder_id=crate.holder_id,
        holder_id=crate.holder_id, from_state=crate.state, to_state=rule.to_state, quantity=0,
        quantity_delta=0, batch_id=batch.id, territory_id=actor.territory_id,
        occurred_at=now, recorded_at=now,
    ))
    crate.state, crate.quantity, crate.batch_id = rule.to_state, 0, None
    crate.updated_at = crate.last_event_at = now


def _output_crate(session: Session, batch: Batch, actor: User, quantity: int,
                  now: datetime) -> Crate:
    """The clean counted output: a new crate at the site, commissioned by the close."""
    code = mint_codes(session, 1, batch.type)[0]
    crate = Crate(code=code, type_id=batch.type_id, holder_id=batch.site_id,
                  owner_id=batch.site_id, quantity=quantity, state="clean",
                  territory_id=batch.territory_id, updated_at=now, last_event_at=now)
    session.add(crate)
    session.flush()
    label = session.get(Label, code)
    label.crate_id, label.territory_id = crate.id, crate.territory_id
    session.add(Event(
        action="commission", code=code, crate_id=crate.id, type_id=batch.type_id,
        org_id=actor.org_id, user_id=actor.id, holder_id=batch.site_id, to_state="clean",
        quantity=quantity, batch_id=batch.id, territory_id=actor.territory_id,
        occurred_at=now, recorded_at=now,
    ))
    return crate
