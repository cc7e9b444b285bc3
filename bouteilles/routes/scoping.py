"""The coordinator's territory, for the pages: what part of the network the
logged-in user coordinates (services/territories.py, `Scope`).

A coordination with a territory reads and manages that territory only; one
without coordinates the whole network, and only its administrators change what
the whole network shares (container types, factor sets, the report's issuer,
territories).
"""

from __future__ import annotations

from flask import g
from flask_login import current_user

from ..services import access
from ..services.territories import Scope, scope_of


def current_scope() -> Scope:
    """The logged-in user's scope as coordinator (read once per request); a member
    that is not the coordination gets the whole network here, its own pages keep
    it to its organisation."""
    if "coordinator_scope" not in g:
        coordinator = current_user.is_authenticated and access.may(current_user,
                                                                     "oversee_network")
        g.coordinator_scope = scope_of(current_user.org) if coordinator else Scope.WHOLE
    return g.coordinator_scope


def national() -> bool:
    """Whether the logged-in user is of the national coordination (no territory)."""
    return current_scope().whole


def national_admin() -> bool:
    """Whether the logged-in user administers what the whole network shares."""
    return (current_user.is_authenticated and access.may(current_user, "administer")
            and national())
