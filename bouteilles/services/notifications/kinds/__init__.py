"""The kinds of notification: what each says, to whom, how often by default.

Each module of this package is one kind of `models.NOTIFICATION_KINDS`, with
`due(session, now, since) -> list[Due]` (services/notifications/due.py) and
`subject(context) -> str`, called in the recipient's language; its mails are
the templates `mail/<kind>.txt` and `mail/<kind>.html`, which extend
`mail/_layout.txt` and `mail/_layout.html` and fill `{% block body %}`.

`KINDS` is the one place that names them (French labels, translated where
shown), says which members' users get each (`audience`) and whether it is a
monthly one (its setting is on or off).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from ....i18n import N_
from ....models.notification import NOTIFICATION_KINDS
from . import lost, low_stock, monthly_report, orders, overdue, pickups

LENDERS = frozenset({"restaurant", "event_organiser"})


@dataclass(frozen=True)
class Kind:
    """`audience`: the organisation kinds whose users get it unless they turn it off;
    None: every member the kind has something to say to (low stock: the members that
    set a threshold). `monthly`: sent once a month, its setting is on ("daily") or off."""

    code: str
    module: ModuleType
    label: str
    description: str
    audience: frozenset[str] | None
    monthly: bool = False


KINDS: dict[str, Kind] = {kind.code: kind for kind in (
    Kind("overdue", overdue, N_("Boîtes en retard chez les clients"),
         N_("Chaque matin, les boîtes que vos clients gardent au-delà du délai de retour : "
            "codes, dates de prêt et consignes."), LENDERS),
    Kind("lost", lost, N_("Boîtes déclarées perdues"),
         N_("Les boîtes jamais rapportées, déclarées perdues et leur consigne conservée."),
         LENDERS),
    Kind("pickups", pickups, N_("Demandes d'enlèvement"),
         N_("Les demandes d'enlèvement ouvertes (« bac plein ») des membres."),
         frozenset({"collector", "washing_site"})),  # a site collects where no collector does
    Kind("orders", orders, N_("Commandes de contenants propres"),
         N_("Les commandes de contenants propres ouvertes, à préparer."),
         frozenset({"washing_site"})),
    Kind("low_stock", low_stock, N_("Stock propre bas"),
         N_("Quand votre stock de contenants propres passe sous le seuil que vous avez "
            "fixé."), None),
    Kind("monthly_report", monthly_report, N_("Rapport d'impact mensuel"),
         N_("Le 1er du mois, le rapport d'impact du mois écoulé, en PDF."),
         frozenset({"coordinator"}), monthly=True),
)}

if set(KINDS) != set(NOTIFICATION_KINDS):  # a kind of the table without its module
    raise RuntimeError(f"notification kinds without a module: "
                       f"{set(NOTIFICATION_KINDS) ^ set(KINDS)}")
