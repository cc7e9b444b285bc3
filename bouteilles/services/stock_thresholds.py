"""Members' stock alerts: "tell me when I have fewer than N clean containers".

A member sets a minimum per container type of its loop (boxes for a
restaurant, bottles for a winegrower); its clean stock
is what it holds clean: labelled containers and the quantities of its clean
crates. The `low_stock` notification reads `below`, the member's page
`threshold_rows` and `set_thresholds`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Container, ContainerType, Crate, Organisation, StockThreshold, utcnow
from .errors import ValidationError

# More than any member keeps on its shelves: a typing slip.
MAX_MINIMUM = 100_000

# The loop whose containers a kind of member keeps in stock.
FAMILY_OF_KIND = {"restaurant": "box", "winegrower": "bottle"}


@dataclass(frozen=True)
class ThresholdRow:
    """One container type of a member: its clean stock and its minimum (None: no alert)."""

    org_id: int
    type_id: int
    type_name: str
    clean: int
    minimum: int | None

    @property
    def low(self) -> bool:
        return self.minimum is not None and self.clean < self.minimum


def _clean_stock(org_id, type_id):
    """The clean stock of a member in a type, as an SQL expression (both may be columns)."""
    boxes = (select(func.count()).select_from(Container)
             .where(Container.holder_id == org_id, Container.state == "clean",
                    Container.type_id == type_id).scalar_subquery())
    crated = (select(func.coalesce(func.sum(Crate.quantity), 0))
              .where(Crate.holder_id == org_id, Crate.state == "clean", Crate.type_id == type_id)
              .scalar_subquery())
    return boxes + crated


def stock_types(session: Session, kind: str) -> list[ContainerType]:
    """The active container types a member of this kind keeps in stock."""
    family = FAMILY_OF_KIND.get(kind)
    if family is None:
        return []
    return list(session.scalars(select(ContainerType).where(
        ContainerType.family == family, ContainerType.active.is_(True))
        .order_by(ContainerType.name)))


def threshold_rows(session: Session, org: Organisation) -> list[ThresholdRow]:
    """Each type the member keeps in stock, with its clean count and its minimum."""
    types = stock_types(session, org.kind)
    if not types:
        return []
    minimum = (select(StockThreshold.minimum)
               .where(StockThreshold.org_id == org.id, StockThreshold.type_id == ContainerType.id)
               .scalar_subquery())
    rows = session.execute(
        select(ContainerType.id, ContainerType.name, _clean_stock(org.id, ContainerType.id),
               minimum)
        .where(ContainerType.id.in_([t.id for t in types])).order_by(ContainerType.name))
    return [ThresholdRow(org.id, type_id, name, int(clean), low)
            for type_id, name, clean, low in rows]


def set_thresholds(session: Session, org: Organisation,
                   minimums: dict[int, int | None]) -> None:
    """Set the member's minimum per type id (None or 0: no alert); types outside its
    loop are refused."""
    allowed = {t.id for t in stock_types(session, org.kind)}
    for type_id, minimum in minimums.items():
        if type_id not in allowed:
            raise ValidationError(_l("Ce type de contenant n'est pas de votre boucle."))
        if minimum is not None and not 0 <= minimum <= MAX_MINIMUM:
            raise ValidationError(_l("Un seuil de 0 à %(max)s.", max=MAX_MINIMUM))
    current = {row.type_id: row for row in session.scalars(
        select(StockThreshold).where(StockThreshold.org_id == org.id))}
    now = utcnow()
    for type_id, minimum in minimums.items():
        row = current.get(type_id)
        if not minimum:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(StockThreshold(org_id=org.id, type_id=type_id, minimum=minimum,
                                       updated_at=now))
        elif row.minimum != minimum:
            row.minimum, row.updated_at = minimum, now
    session.flush()


def below(session: Session) -> list[ThresholdRow]:
    """Every active member's types whose clean stock is below its minimum, by member
    then type name."""
    clean = _clean_stock(StockThreshold.org_id, StockThreshold.type_id).label("clean")
    rows = session.execute(
        select(StockThreshold.org_id, StockThreshold.type_id, ContainerType.name, clean,
               StockThreshold.minimum)
        .join(ContainerType, ContainerType.id == StockThreshold.type_id)
        .join(Organisation, Organisation.id == StockThreshold.org_id)
        .where(Organisation.active.is_(True))
        .order_by(StockThreshold.org_id, ContainerType.name))
    found = (ThresholdRow(org_id, type_id, name, int(count), minimum)
             for org_id, type_id, name, count, minimum in rows)
    return [row for row in found if row.low]
