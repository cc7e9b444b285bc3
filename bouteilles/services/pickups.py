"""Pickup requests ("bac plein"): a restaurant or a collection point asks to be
collected; the collectors see the requests first on their run, and the next
collection there closes the request (`movements`, where collects are written).

One open request per member at a time: asking again while one is open keeps that
request (and the date it has waited since) and replaces its note with the new one,
if any. The requests a collector reads are those of the members its coordination
sees (`territories.scope_of` of the collector's own organisation): a collector of a
territory, that territory's members; one without a territory, the whole network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ..models import Organisation, PickupRequest, User, utcnow
from . import access
from .errors import Conflict, Forbidden, NotFound, ValidationError
from .items.lookup import iso
from .territories import Scope, scope_of

MAX_NOTE = PickupRequest.note.property.columns[0].type.length  # 500
# How long a closed or cancelled request stays in the collectors' list.
RECENT = timedelta(days=7)
MAX_ROWS = 200


@dataclass
class Asked:
    """A request asked for: the open one, and whether this call opened it."""

    request: PickupRequest
    created: bool


def clean_note(note: str | None) -> str | None:
    """The note as stored: stripped, None when blank; too long → a clear 422."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_l("La note est trop longue (%(n)s caractères au plus).",
                                 n=MAX_NOTE))
    if "\x00" in note:
        raise ValidationError(_l("La note contient un caractère interdit."))
    return note or None


def open_request(session: Session, org_id: int) -> PickupRequest | None:
    """The member's open request, if it has one."""
    return session.scalar(select(PickupRequest).where(
        PickupRequest.status == "open", PickupRequest.org_id == org_id)
        .order_by(PickupRequest.id).limit(1))


def request_pickup(session: Session, *, actor: User, note: str | None = None) -> Asked:
    """Ask for a collection at the actor's organisation; while a request is open,
    that one (its note replaced by a new one, if given)."""
    access.require(actor, "request_pickup")
    note = clean_note(note)
    # Two taps at once make one request: the member's row is the lock (PostgreSQL;
    # SQLite's writes are serialised anyway).
    session.execute(select(Organisation.id).where(Organisation.id == actor.org_id)
                    .with_for_update())
    found = open_request(session, actor.org_id)
    if found is not None:
        if note is not None:
            found.note = note
        session.flush()
        return Asked(found, False)
    made = PickupRequest(org_id=actor.org_id, org=actor.org, status="open", note=note,
                         requested_at=utcnow(), requested_by_id=actor.id)
    session.add(made)
    session.flush()
    return Asked(made, True)


def get_pickup(session: Session, request_id: int) -> PickupRequest:
    found = session.get(PickupRequest, request_id)
    if found is None:
        raise NotFound(_l("Aucune demande de collecte n° %(id)s.", id=request_id))
    return found


def cancel_pickup(session: Session, request: PickupRequest, *, actor: User) -> PickupRequest:
    """The member withdraws its open request (nothing to collect after all)."""
    if actor.org_id != request.org_id:
        raise Forbidden(_l("Cette demande de collecte est celle d'un autre membre."))
    if request.status != "open":
        raise Conflict(_l("Cette demande de collecte n'est plus ouverte."))
    request.status, request.closed_at = "cancelled", utcnow()
    session.flush()
    return request


def reader_scope(actor: User) -> Scope:
    """Whose requests the actor reads: its coordination's view of the members."""
    access.require(actor, "read_pickups")
    return scope_of(actor.org)


def pickup_list(session: Session, scope: Scope, *, now: datetime | None = None,
                only_open: bool = False, limit: int = MAX_ROWS) -> list[PickupRequest]:
    """The requests of the scope's members: the open ones first, the longest waiting
    first, then those closed or cancelled in the last days, the latest first."""
    since = (now or utcnow()) - RECENT
    still_open = PickupRequest.status == "open"
    stmt = (select(PickupRequest).join(Organisation, Organisation.id == PickupRequest.org_id)
            .where(scope.members(),
                   still_open if only_open else still_open | (PickupRequest.closed_at >= since))
            .order_by(case((still_open, 0), else_=1),
                      case((still_open, PickupRequest.requested_at)),
                      PickupRequest.closed_at.desc(), PickupRequest.id))
    return list(session.scalars(stmt.limit(limit)))


def describe_pickup(request: PickupRequest) -> dict:
    """The API's description of a request."""
    closer = request.closed_by_org
    return {
        "id": request.id, "org": request.org.code, "org_name": request.org.name,
        "status": request.status, "requested_at": iso(request.requested_at),
        "note": request.note,
        "closed_at": iso(request.closed_at) if request.closed_at else None,
        "closed_by": closer.code if closer is not None else None,
    }
