"""A blueprint's door: who gets in is the access table's answer (`services/access.py`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from flask import Blueprint, request
from flask_login import current_user
from flask_login.config import EXEMPT_METHODS

from ..auth import login_manager
from ..services import access

READS = frozenset({"GET", "HEAD"})
# Blueprint name → the capabilities its guard asks for (read by the tests).
GUARDS: dict[str, tuple[str, ...]] = {}


def guard_blueprint(bp: Blueprint, capability: str, *, reads: Mapping[str, str] | None = None,
                    changes: str | None = None, change_pages: Collection[str] = ()) -> None:
    """Before every request to `bp`: an anonymous visitor goes to the login page; a
    member needs `capability` (for a read of an endpoint in `reads`, that endpoint's
    capability instead) and, to change anything (any method but GET and HEAD, or a
    page of `change_pages`, whose only use is a form that creates), `changes` too."""
    reads = dict(reads or {})
    for name in (capability, changes, *reads.values()):
        if name is not None:
            access.capability(name)  # a name missing from the table fails at start-up

    def guard():
        if request.method in EXEMPT_METHODS:  # OPTIONS, as Flask-Login's login_required
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        reading = request.method in READS
        access.require(current_user, reads.get(request.endpoint, capability) if reading
                       else capability)
        if changes is not None and (not reading or request.endpoint in change_pages):
            access.require(current_user, changes)
        return None

    GUARDS[bp.name] = tuple(n for n in (capability, changes, *reads.values()) if n)
    bp.before_request(guard)
