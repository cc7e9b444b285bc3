"""Clean stock ordered from the washing sites: winegrowers' bottles and restaurants'
boxes (availability, requests, deliveries), and the winegrowers' fills.

Who orders what is `ORDER_FAMILIES`: a winegrower asks for bottles, a restaurant
for boxes; both are `BottleRequest` rows, fulfilled alike by the site delivering
scanned clean stock of the requested type. "Reserved" is what open requests hold
against a site's clean stock: for each open request, the quantity still to
deliver. Available = clean − reserved.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select, text
from sqlalchemy.orm import Session

from ...i18n import N_
from ...models import BottleRequest, ContainerType, Event, Organisation, User, utcnow
from ...models.event import ARRIVALS
from .. import access
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..items.lookup import Item, get_item, get_org, get_type, org_name_for
from ..items.stock import stock_rows
from ..movements import record_scan
from ..washing.site import for_each_code

MAX_REQUEST = 1_000_000
# The family of container types each kind of member orders clean from a washing site.
ORDER_FAMILIES = {"winegrower": "bottle", "restaurant": "box"}
# A type of another family asked for: the refusal, by family ordered.
WRONG_FAMILY = {
    "bottle": N_("On ne demande que des bouteilles ; « %(type)s » n'en est pas une."),
    "box": N_("On ne commande que des boîtes ; « %(type)s » n'en est pas une."),
}


def order_types(session: Session, family: str) -> list[ContainerType]:
    """The active types of a family, as a member orders them."""
    return list(session.scalars(
        select(ContainerType).where(ContainerType.family == family,
                                    ContainerType.active.is_(True)).order_by(ContainerType.code)
    ))


def bottle_types(session: Session) -> list[ContainerType]:
    """Bottle models a winegrower can ask for."""
    return order_types(session, "bottle")


def order_family(actor: User) -> str:
    """The family the actor's organisation orders; 403 for a kind that orders none."""
    access.require(actor, "order_clean_stock")
    return ORDER_FAMILIES[actor.org.kind]


def washing_sites(session: Session) -> list[Organisation]:
    return list(session.scalars(
        select(Organisation).where(Organisation.kind == "washing_site",
                                   Organisation.active.is_(True)).order_by(Organisation.name)
    ))


def reserved_totals(session: Session) -> dict[tuple[int, int], int]:
    """(site id, type id) → quantity held by open requests."""
    rows = session.execute(
        select(BottleRequest.site_id, BottleRequest.type_id, func.sum(BottleRequest.reserved))
        .where(BottleRequest.status == "open")
        .group_by(BottleRequest.site_id, BottleRequest.type_id)
    )
    return {(site, ctype): int(total or 0) for site, ctype, total in rows}


def availability(session: Session, *, org_id: int | None = None,
                 family: str = "bottle") -> list[dict]:
    """Clean stock of a family at each washing site by type: clean, reserved (all, and
    for `org_id`), available."""
    sites = {o.code: o for o in washing_sites(session)}
    types = {t.code: t for t in order_types(session, family)}
    reserved = reserved_totals(session)
    mine: dict[tuple[int, int], int] = {}
    if org_id is not None:
        for request in session.scalars(select(BottleRequest).where(
                BottleRequest.org_id == org_id, BottleRequest.status == "open")):
            key = (request.site_id, request.type_id)
            mine[key] = mine.get(key, 0) + request.reserved
    rows = {}
    for row in stock_rows(session, state="clean"):
        site, ctype = sites.get(row["holder"]), types.get(row["type"])
        if site is not None and ctype is not None:
            rows[(site.id, ctype.id)] = {"site": site, "type": ctype, "clean": row["count"]}
    for key in set(reserved) | set(mine):
        if key not in rows:
            site = next((s for s in sites.values() if s.id == key[0]), None)
            ctype = next((t for t in types.values() if t.id == key[1]), None)
            if site is None or ctype is None:
                continue
            rows[key] = {"site": site, "type": ctype, "clean": 0}
    result = []
    for key, row in rows.items():
        row["reserved"] = reserved.get(key, 0)
        row["reserved_mine"] = mine.get(key, 0)
        row["available"] = max(0, row["clean"] - row["reserved"])
        result.append(row)
    return sorted(result, key=lambda r: (r["site"].name, r["type"].code))


def held_by(session: Session, org_id: int) -> list[dict]:
    """What the winegrower holds: clean (delivered, not filled) and filled, by model."""
    return [row for row in stock_rows(session, holder_id=org_id)
            if row["state"] in ("clean", "in_use")]


def create_request(session: Session, *, actor: User, site_code: str, type_code: str,
                   quantity: int, note: str | None = None) -> BottleRequest:
    """A member asks a washing site for `quantity` clean containers of one type of the
    family it orders (`ORDER_FAMILIES`: a winegrower bottles, a restaurant boxes)."""
    family = order_family(actor)
    site = get_org(session, site_code)
    if site.kind != "washing_site":
        raise ValidationError(_l("« %(site)s » n'est pas un site de lavage.", site=site.name))
    ctype = get_type(session, type_code)
    if ctype.family != family:
        raise ValidationError(_l(WRONG_FAMILY[family], type=ctype.name))
    if not 1 <= quantity <= MAX_REQUEST:
        raise ValidationError(_l("Quantité hors limites (1 à %(n)s).", n=MAX_REQUEST))
    request = BottleRequest(org_id=actor.org_id, site_id=site.id, type_id=ctype.id,
                            org=actor.org, site=site, type=ctype, quantity=quantity,
                            delivered=0, reserved=quantity, status="open",
                            note=(note or "").strip()[:500] or None,
                            created_at=utcnow(), created_by_id=actor.id)
    session.add(request)
    session.flush()
    return request


def get_request(session: Session, request_id: int, *, for_update: bool = False) -> BottleRequest:
    stmt = select(BottleRequest).where(BottleRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update(of=BottleRequest)
    found = session.scalar(stmt)
    if found is None:
        raise NotFound(_l("Aucune demande n° %(id)s.", id=request_id))
    return found


def cancel_request(session: Session, request: BottleRequest, *, actor: User) -> BottleRequest:
    """The member withdraws an open request; what it held is released."""
    if actor.org_id != request.org_id:
        raise Forbidden(_l("Cette demande est celle d'un autre membre."))
    if request.status != "open":
        raise Conflict(_l("Cette demande n'est plus ouverte."))
    request.status, request.reserved, request.cancelled_at = "cancelled", 0, utcnow()
    session.flush()
    return request


def fulfil_request(session: Session, request: BottleRequest, *, actor: User,
                   codes: list[str]) -> BottleRequest:
    """The site delivers crates (or bottles, or boxes) of the requested type to the
    member; the request is fulfilled once delivered ≥ requested."""
    if not access.may(actor, "washing_work") or actor.org_id != request.site_id:
        raise Forbidden(_l("Cette demande est adressée à un autre site de lavage."))
    if request.status != "open":
        raise Conflict(_l("Cette demande n'est plus ouverte."))
    if not codes:
        raise ValidationError(_l("Scannez ou tapez les caisses à livrer."))

    def deliver(code: str) -> int:
        item = get_item(session, code)
        _check_deliverable(item, request, actor)
        quantity = getattr(item, "quantity", 1) if item.kind == "crate" else 1
        record_scan(session, actor=actor, code=code, action="deliver", to=request.org.code)
        return quantity

    request.delivered += sum(for_each_code(codes, deliver))
    if request.delivered >= request.quantity:
        request.status, request.reserved = "fulfilled", 0
        request.fulfilled_at, request.fulfilled_by_id = utcnow(), actor.id
    else:
        request.reserved = request.quantity - request.delivered
    session.flush()
    return request


def _check_deliverable(item: Item, request: BottleRequest, actor: User) -> None:
    if item.type_id != request.type_id:
        raise ValidationError(_l("Cette caisse porte « %(type)s », la demande est pour "
                                 "« %(wanted)s ».",
                                 type=item.type.name, wanted=request.type.name))
    if item.state != "clean" or item.holder_id != actor.org_id:
        raise ValidationError(_l("Seul le stock propre présent sur le site se livre "
                                 "(état : %(state)s, chez %(holder)s).",
                                 state=item.state, holder=org_name_for(
                                  org_id=item.holder_id, name=item.holder.name,
                                  viewer_org_id=actor.org_id, viewer_kind=actor.org.kind)))


def record_fills(session: Session, *, actor: User, codes: list[str]) -> list[Item]:
    """Bottling: each crate (or bottle) scanned is filled."""
    access.require(actor, "winegrower_work")
    if not codes:
        raise ValidationError(_l("Scannez ou tapez au moins un code de caisse."))
    return for_each_code(codes, lambda code: record_scan(
        session, actor=actor, code=code, action="fill").item)


def requests_query(*, org_id: int | None = None, site_id: int | None = None,
                   status: str | None = None) -> Select:
    stmt = select(BottleRequest).order_by(BottleRequest.created_at.desc(), BottleRequest.id.desc())
    if org_id is not None:
        stmt = stmt.where(BottleRequest.org_id == org_id)
    if site_id is not None:
        stmt = stmt.where(BottleRequest.site_id == site_id)
    if status in ("open", "fulfilled", "cancelled"):
        stmt = stmt.where(BottleRequest.status == status)
    return stmt


def history_query(org_id: int) -> Select:
    """What the winegrower received (deliveries to it) and filled, newest first."""
    return select(Event).where(or_(
        and_(text(ARRIVALS), Event.action == "deliver", Event.holder_id == org_id,
             Event.from_holder_id != org_id),
        and_(Event.action == "fill", Event.org_id == org_id),
    )).order_by(Event.occurred_at.desc(), Event.id.desc())
