"""Who may do what: one table of named capabilities, read by the life cycle, the
blueprints' guards, the services' checks, the menu and the templates.

A capability is held by every user of the organisation kinds it lists; an
`admin` one only by those of them with administrator rights (`User.is_admin`).
Scan actions are capabilities too, named after the action. `require` refuses
with the capability's message; a check whose refusal says something more
precise (whose batch, whose loan it is) asks `may` and raises its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..i18n import N_
from ..vocabulary import ACTION_LABELS, KIND_LABELS
from .errors import Forbidden


@dataclass(frozen=True)
class Capability:
    kinds: frozenset[str]
    message: str  # French (marked with N_), shown translated when `require` refuses
    admin: bool = False


def grant(*kinds: str, message: str, admin: bool = False) -> Capability:
    return Capability(frozenset(kinds), message, admin)


# The refusal of a scan names the organisation's kind and the action.
SCAN_REFUSED = N_("Votre organisation (%(kind)s) ne peut pas enregistrer « %(action)s ».")
SITE_ONLY = N_("Réservé aux sites de lavage.")

CAPABILITIES: dict[str, Capability] = {
    # Scan actions (the life cycle's `may_act`). The coordination records every
    # one of them: it corrects the record.
    "commission": grant("washing_site", "coordinator", message=SCAN_REFUSED),
    "deliver": grant("washing_site", "collector", "coordinator", message=SCAN_REFUSED),
    "lend": grant("restaurant", "event_organiser", "coordinator", message=SCAN_REFUSED),
    "fill": grant("winegrower", "coordinator", message=SCAN_REFUSED),
    "return": grant("restaurant", "collection_point", "event_organiser", "coordinator",
                    message=SCAN_REFUSED),
    "collect": grant("collector", "washing_site", "coordinator", message=SCAN_REFUSED),
    "sort": grant("washing_site", "coordinator", message=SCAN_REFUSED),
    "wash": grant("washing_site", "coordinator", message=SCAN_REFUSED),
    # A restaurant puts out of use a box a customer brought back broken.
    "reject": grant("washing_site", "restaurant", "coordinator", message=SCAN_REFUSED),
    "lose": grant("coordinator", message=SCAN_REFUSED),
    "find": grant("coordinator", message=SCAN_REFUSED),
    # A damaged label replaced by a new code (movements.relabel).
    "relabel": grant("washing_site", "coordinator",
                     message=N_("Seuls les sites de lavage et la coordination remplacent une "
                                "étiquette.")),
    # The owner of objects changed (movements.transfer): the coordination's administrators.
    "transfer": grant("coordinator", admin=True,
                      message=N_("Seuls les administrateurs de la coordination transfèrent la "
                                 "propriété d'un objet.")),
    # Members' own pages and the services behind them.
    "restaurant_pages": grant("restaurant",
                              message=N_("Pages réservées aux restaurants du réseau.")),
    "loan_pages": grant("restaurant", "event_organiser", "coordinator",
                        message=N_("Pages réservées aux prêteurs de vaisselle et aux "
                                   "organisateurs d'événements.")),
    # The cooperative owns the shared stock of cups and plates: it lends too.
    "lend_tableware": grant("restaurant", "coordinator",
                            message=N_("Seuls les restaurants et la coordination prêtent de la "
                                       "vaisselle.")),
    # Settlements between members: those who take or refund deposits, and the coordination.
    "settlements": grant("restaurant", "collection_point", "event_organiser", "coordinator",
                         message=N_("Pages réservées aux membres qui encaissent ou remboursent "
                                    "des consignes.")),
    "collection_run": grant("collector", message=N_("Page réservée aux collecteurs.")),
    "washing_work": grant("washing_site", message=SITE_ONLY),
    # Reading batches (the coordination reads every site's) is not washing.
    "batch_pages": grant("washing_site", "coordinator", message=SITE_ONLY),
    "keep_batches": grant("washing_site", "coordinator",
                          message=N_("Seuls les sites de lavage tiennent des lots.")),
    "winegrower_work": grant("winegrower", message=N_("Réservé aux vignerons.")),
    # Clean stock ordered from a washing site: bottles by winegrowers, boxes by
    # restaurants (services/pages/winegrower.py, ORDER_FAMILIES).
    "order_clean_stock": grant("winegrower", "restaurant",
                               message=N_("Seuls les vignerons et les restaurants commandent "
                                          "du stock propre.")),
    # "Bac plein": a member where returned stock waits asks for a collection;
    # the collectors and the coordination read the requests (services/pickups.py).
    "request_pickup": grant("restaurant", "collection_point",
                            message=N_("Seuls les restaurants et les points de collecte "
                                       "demandent une collecte.")),
    "read_pickups": grant("collector", "coordinator",
                          message=N_("Les demandes de collecte sont lues par les collecteurs "
                                     "et la coordination.")),
    # Who uses the API with a token of their own (docs/decisions.md, "Accounts and
    # logins"): the menu links the tokens page for them only.
    "api_tokens": grant("restaurant", "washing_site", "coordinator", message=N_("Accès refusé.")),
    # The generic message of a 403: the page says no more than any refused page.
    "print_labels": grant("washing_site", "coordinator", message=N_("Accès refusé.")),
    # A stock count (inventaire): every member that holds stock counts its own; the
    # coordination counts its members' (services/stocktakes.py).
    "count_stock": grant("restaurant", "winegrower", "washing_site", "collection_point",
                         "collector", "event_organiser", "coordinator",
                         message=N_("Accès refusé.")),
    # The coordination: it sees and acts on every member's objects and figures,
    # reads its own pages, and its administrators change them.
    "oversee_network": grant("coordinator",
                             message=N_("Vous ne voyez que les données de votre organisation.")),
    "coordination_pages": grant("coordinator", message=N_("Réservé à la coordination du réseau.")),
    "administer": grant("coordinator", admin=True,
                        message=N_("Réservé aux administrateurs de la coordination : vous "
                                   "pouvez consulter ces pages, pas les modifier.")),
}


def capability(name: str) -> Capability:
    """The table's entry; a name missing from it is a programming error."""
    try:
        return CAPABILITIES[name]
    except KeyError:
        raise LookupError(f"no capability {name!r} in services/access.py") from None


def kind_of(who: object) -> str:
    """The organisation kind of `who`: a kind, an Actor or Organisation (`.kind`), a User."""
    if isinstance(who, str):
        return who
    kind = getattr(who, "kind", None)
    return kind if kind is not None else who.org.kind


def may(who: object, name: str) -> bool:
    """Whether `who` (a User, an Actor, an Organisation or a kind) has the capability;
    an `admin` one also needs the user's administrator rights."""
    rule = capability(name)
    if kind_of(who) not in rule.kinds:
        return False
    return not rule.admin or bool(getattr(who, "is_admin", False))


def require(who: object, name: str) -> None:
    """Refuse (Forbidden, with the capability's message) unless `who` may."""
    if not may(who, name):
        rule = capability(name)
        params = {"kind": _l(KIND_LABELS[kind_of(who)]), "action": _l(ACTION_LABELS[name])} \
            if rule.message == SCAN_REFUSED else {}
        raise Forbidden(_l(rule.message, **params))


def kinds_with(name: str) -> frozenset[str]:
    """The organisation kinds that hold the capability (admin rights aside)."""
    return capability(name).kinds
