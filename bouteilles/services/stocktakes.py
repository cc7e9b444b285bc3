"""Stock counts (inventaire): a site's stock of one type, counted against the record.

What the record says the site holds is its containers of that type in a state
of stock on a shelf (`SHELF_STATES`: every live state but `in_use`, a box with a
customer or a bottle filled and sold, which no count at the site can see).
Against it, the codes counted there:

- found: counted, and the record says the site holds it (a count, no line);
- missing: the record says the site holds it, not counted (a line, left for the
  coordination, which may declare it lost: `resolve_lines`);
- unexpected: counted, the record says otherwise (elsewhere, another type, not
  in stock, an unknown code). One held elsewhere in a state a delivery takes is
  brought to the site at once (`movements.record_found_in_count`, anomaly
  `found_in_count`); the others wait for the coordination.

The count is set-based: one query reads the site's expected codes, the
difference is made in memory, and only the unexpected codes (a few) are read
again, in chunks. Unlabelled stock (crates, bags) is counted by number against
the crates' quantities at the site.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..models import (
    Container,
    ContainerType,
    Crate,
    Organisation,
    Stocktake,
    StocktakeLine,
    User,
    utcnow,
)
from . import access, lifecycle
from .errors import BouteillesError, Forbidden, ValidationError
from .items.codes import InvalidCode, normalize_code
from .items.lookup import get_org, get_type
from .members.accounts import Actor
from .movements import declare_count_loss, record_found_in_count
from .territories import Scope, scope_of

MAX_CODES = 20_000
MAX_QUANTITY = 10_000_000
SHELF_STATES = tuple(state for state in lifecycle.LIVE_STATES if state != "in_use")
CHUNK = 500  # codes per IN list (SQLite's parameter limit is far above)


def may_count(user: User, site: Organisation) -> bool:
    """The site itself (a member holding stock), or an administrator of a
    coordination that sees it."""
    if user.org_id == site.id:
        return access.may(user, "count_stock")
    return access.may(user, "administer") and scope_of(user.org).sees(site)


def may_read(user: User, stocktake: Stocktake) -> bool:
    """The site that counted, and the coordination that sees it."""
    return user.org_id == stocktake.site_id or (
        access.may(user, "oversee_network") and scope_of(user.org).sees(stocktake.site))


def may_resolve(user: User, stocktake: Stocktake) -> bool:
    """An administrator of the coordination that sees the site."""
    return access.may(user, "administer") and scope_of(user.org).sees(stocktake.site)


def canonical_codes(texts: Iterable[object]) -> list[str]:
    """The counted codes, canonical, each once (first seen first); a 422 naming the
    first few that are not codes."""
    seen: dict[str, None] = {}
    bad: list[str] = []
    for text in texts:
        try:
            seen.setdefault(normalize_code(str(text)), None)
        except InvalidCode:
            bad.append(str(text)[:40])
    if bad:
        raise ValidationError(_l(
            "%(count)s code(s) illisible(s) : %(codes)s. Corrigez-les ou retirez-les, puis "
            "recommencez (rien n'a été enregistré).", count=len(bad),
            codes=", ".join(f"« {code} »" for code in bad[:5])))
    return list(seen)


def take_stock(session: Session, *, actor: User, site: str, type_code: str,
               codes: list, quantity: int | None = None,
               now: datetime | None = None) -> Stocktake:
    """Count `codes` (and `quantity` unlabelled) of a type at a site; the dated record."""
    now = now or utcnow()
    org, ctype = get_org(session, site), get_type(session, type_code)
    if not may_count(actor, org):
        raise Forbidden(_l("Seuls le site lui-même et sa coordination comptent son stock."))
    if len(codes) > MAX_CODES:
        raise ValidationError(_l("Un inventaire compte %(max)s codes au plus (%(count)s reçus) : "
                                 "découpez-le par type ou par zone.", max=MAX_CODES,
                                 count=len(codes)))
    if quantity is not None and not 0 <= quantity <= MAX_QUANTITY:
        raise ValidationError(_l("Quantité comptée hors limites."))
    counted = canonical_codes(codes)
    session.flush()
    expected = dict(session.execute(
        select(Container.code, Container.id).where(
            Container.holder_id == org.id, Container.type_id == ctype.id,
            Container.state.in_(SHELF_STATES))).all())
    counted_set = set(counted)
    missing = [code for code in expected if code not in counted_set]
    unexpected = [code for code in counted if code not in expected]
    stocktake = Stocktake(
        site_id=org.id, type_id=ctype.id, counted_by_id=actor.id, org_id=actor.org_id,
        counted_at=now, expected=len(expected), found=len(expected) - len(missing),
        missing=len(missing), unexpected=len(unexpected), counted_quantity=quantity,
        expected_quantity=_crate_quantity(session, org.id, ctype.id) if quantity is not None
        else 0, territory_id=org.territory_id, status="to_review")
    session.add(stocktake)
    session.flush()
    lines = [{"stocktake_id": stocktake.id, "code": code, "container_id": expected[code],
              "outcome": "missing"} for code in sorted(missing)]
    others = _containers(session, unexpected)
    lines += [{"stocktake_id": stocktake.id, "code": code,
               "container_id": others[code].id if code in others else None,
               "outcome": "unexpected"} for code in unexpected]
    if lines:
        session.execute(insert(StocktakeLine), lines)
    _bring_here(session, stocktake, org, others, Actor.of(actor), now)
    _update_status(session, stocktake)
    return stocktake


def _crate_quantity(session: Session, site_id: int, type_id: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(Crate.quantity), 0)).where(
        Crate.holder_id == site_id, Crate.type_id == type_id,
        Crate.state.in_(SHELF_STATES))) or 0


def _containers(session: Session, codes: list[str]) -> dict:
    """Rows (id, code, holder_id, state) of the containers with these codes, by code."""
    found = {}
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start:start + CHUNK]
        found.update({row.code: row for row in session.execute(
            select(Container.id, Container.code, Container.holder_id, Container.state)
            .where(Container.code.in_(chunk)))})
    return found


def _bring_here(session: Session, stocktake: Stocktake, org: Organisation, others: dict,
                actor: Actor, now: datetime) -> None:
    """Move to the site each unexpected container held elsewhere that a delivery may
    move; the others stay as the record shows, their lines open."""
    conn = session.connection()
    for row in others.values():
        if row.holder_id == org.id or row.state not in SHELF_STATES:
            continue
        try:
            move = record_found_in_count(conn, actor, code=row.code, site=org,
                                         stocktake_id=stocktake.id, now=now)
        except BouteillesError:
            continue
        if move is not None:
            _resolve(session, stocktake.id, row.code, "moved", move.event_id, actor.user_id, now)


def _resolve(session: Session, stocktake_id: int, code: str, how: str, event_id: int | None,
             user_id: int | None, now: datetime) -> None:
    line = session.scalar(select(StocktakeLine).where(
        StocktakeLine.stocktake_id == stocktake_id, StocktakeLine.code == code))
    line.resolved, line.event_id, line.resolved_at, line.resolved_by_id = (
        how, event_id, now, user_id)


def _update_status(session: Session, stocktake: Stocktake) -> None:
    session.flush()
    open_lines = session.scalar(select(func.count(StocktakeLine.id)).where(
        StocktakeLine.stocktake_id == stocktake.id, StocktakeLine.resolved.is_(None)))
    stocktake.status = "to_review" if open_lines else "closed"
    session.flush()


def resolve_lines(session: Session, stocktake: Stocktake, *, actor: User, how: str,
                  codes: list[str] | None = None, now: datetime | None = None) -> int:
    """The coordination's answer to a count's open lines (`codes`, else all of
    them): missing ones declared lost (`how="declared_lost"`), or any left as the
    record shows (`"left"`). How many were resolved; a line whose loss the life
    cycle refuses stays open."""
    if not may_resolve(actor, stocktake):
        raise Forbidden(_l("Seule la coordination du site règle les écarts d'un inventaire."))
    if how not in ("declared_lost", "left"):
        raise ValidationError(_l("Choisissez : déclarer perdu ou laisser tel quel."))
    now = now or utcnow()
    query = select(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id,
                                        StocktakeLine.resolved.is_(None))
    if codes is not None:
        query = query.where(StocktakeLine.code.in_(codes[:CHUNK]))
    if how == "declared_lost":
        query = query.where(StocktakeLine.outcome == "missing")
    lines = list(session.scalars(query.order_by(StocktakeLine.code)))
    session.flush()
    done = 0
    for line in lines:
        event_id = None
        if how == "declared_lost":
            try:
                move = declare_count_loss(session.connection(), Actor.of(actor), code=line.code,
                                          stocktake_id=stocktake.id, now=now)
            except BouteillesError:
                continue
            event_id = move.event_id if move else None
        line.resolved, line.event_id, line.resolved_at, line.resolved_by_id = (
            how, event_id, now, actor.id)
        done += 1
    _update_status(session, stocktake)
    return done


def stocktake_lines(session: Session, stocktake: Stocktake) -> list:
    """The count's lines with what the record shows of each container now (type,
    state, holder's name), missing first."""
    return list(session.execute(
        select(StocktakeLine.code, StocktakeLine.outcome, StocktakeLine.resolved,
               Container.state, ContainerType.name.label("type_name"),
               Organisation.name.label("holder_name"))
        .outerjoin(Container, Container.id == StocktakeLine.container_id)
        .outerjoin(ContainerType, ContainerType.id == Container.type_id)
        .outerjoin(Organisation, Organisation.id == Container.holder_id)
        .where(StocktakeLine.stocktake_id == stocktake.id)
        .order_by(StocktakeLine.outcome, StocktakeLine.code)))


def describe_stocktake(session: Session, stocktake: Stocktake) -> dict:
    """The API's answer: the figures, and the missing and unexpected codes."""
    lines = session.execute(
        select(StocktakeLine.code, StocktakeLine.outcome, StocktakeLine.resolved)
        .where(StocktakeLine.stocktake_id == stocktake.id).order_by(StocktakeLine.id)).all()
    return {
        "id": stocktake.id, "site": stocktake.site.code, "type": stocktake.type.code,
        "counted_at": stocktake.counted_at.isoformat(), "status": stocktake.status,
        "expected": stocktake.expected, "found": stocktake.found,
        "missing": [line.code for line in lines if line.outcome == "missing"],
        "unexpected": [line.code for line in lines if line.outcome == "unexpected"],
        "moved": [line.code for line in lines if line.resolved == "moved"],
        "expected_quantity": stocktake.expected_quantity,
        "counted_quantity": stocktake.counted_quantity,
    }


def stocktake_list(session: Session, scope: Scope, *, site_id: int | None = None,
                   limit: int = 100) -> list[Stocktake]:
    """The latest counts of the scope's members (or of one site), newest first."""
    query = select(Stocktake).where(scope.orgs(Stocktake.site_id))
    if site_id is not None:
        query = query.where(Stocktake.site_id == site_id)
    return list(session.scalars(query.order_by(Stocktake.counted_at.desc(),
                                               Stocktake.id.desc()).limit(limit)))
