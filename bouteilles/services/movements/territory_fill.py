"""A member joins a territory: its rows written before get the territory.

The partition column (models/territory.py) is written with every row; the
rows a member wrote before it had a territory have none. `join_territory`
fills them, once: what was recorded in a territory stays in its figures (a
month's never change once it has ended), and the log's triggers let a row's
empty territory be filled, never changed (migration 0017).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...models import Batch, Container, Crate, DepositEntry, Event, Label, Organisation, Territory


def join_territory(session: Session, territory: Territory | None, org: Organisation) -> None:
    """Put a member in a territory (None: out of every one), and give its rows
    without a territory this one: the events and money it recorded, the objects
    it commissioned and their labels, its washing batches."""
    org.territory_id = territory.id if territory is not None else None
    org.territory = territory
    if territory is not None:
        fill = {"territory_id": territory.id}
        containers, crates = (
            select(Event.container_id).where(Event.org_id == org.id,
                                             Event.action == "commission",
                                             Event.container_id.is_not(None)),
            select(Event.crate_id).where(Event.org_id == org.id, Event.action == "commission",
                                         Event.crate_id.is_not(None)))
        for model, mine in ((Event, Event.org_id == org.id),
                            (DepositEntry, DepositEntry.org_id == org.id),
                            (Batch, Batch.site_id == org.id),
                            (Container, Container.id.in_(containers)),
                            (Crate, Crate.id.in_(crates)),
                            (Label, Label.container_id.in_(containers)),
                            (Label, Label.crate_id.in_(crates))):
            session.execute(update(model).where(mine, model.territory_id.is_(None))
                            .values(fill).execution_options(synchronize_session=False))
    session.flush()
