"""Everything a monthly impact report shows, independent of its format.

Reports are written in the reader's language, French outside a request (the
command line), and their figures and dates too (`bouteilles/formatting.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext

from .. import formatting
from ..i18n import N_
from ..vocabulary import REASON_LABELS

# The method (IMPACT.md), as paragraphs with light ReportLab markup (<b>, <sub>): French,
# translated when the report is written (translators keep the markup).
METHOD = (
    N_("Chaque chiffre vient des lots de lavage clôturés dans le mois (heure de Paris) et du jeu "
       "de facteurs enregistré avec chaque lot : réviser les facteurs ne change jamais un "
       "chiffre déjà publié. Le bénéfice du réemploi est l'objet à usage unique qui n'a pas été "
       "fabriqué, moins ce que coûte le réemploi : lavage, transport et remplacement des "
       "contenants cassés."),
    N_("<b>Bouteilles.</b> Évité = N<sub>propres</sub> × m × EF<sub>verre</sub> − lavage − "
       "transport ; déchets évités = N<sub>propres</sub> × m. Une bouteille écartée ne compte ni "
       "ne coûte rien : elle part au recyclage du verre (masse indiquée à part). La livraison "
       "aux vignerons équivaut à celle de bouteilles neuves et s'annule ; détergent, étiquettes "
       "et bouchons sont exclus."),
    N_("<b>Boîtes et vaisselle.</b> Évité = N<sub>propres</sub> × e<sub>UU</sub> − lavage − "
       "N<sub>écartés</sub> × m × EF<sub>verre</sub> (remplacement) − transport ; déchets évités "
       "= N<sub>propres</sub> × m<sub>UU</sub> − N<sub>écartés</sub> × m."),
    N_("<b>Lavage</b> : valeur par contenant, ou énergie mesurée du lot (kWh électricité × "
       "EF<sub>élec</sub> + kWh gaz × EF<sub>gaz</sub>) quand elle est relevée. <b>Transport</b> "
       ": camionnette au km parcouru ; camion sous-traité à la tonne-km sur la masse collectée, "
       "rebuts compris."),
    N_("<b>Arrondi</b> : calcul en grammes en pleine précision, arrondi au gramme une seule fois "
       "par lot (demi-unité vers le haut) ; le mois est la somme des lots arrondis. Les tableaux "
       "donnent les kilogrammes à 100 g près ; les exports CSV et XLSX, les grammes exacts. "
       "<b>Emplois</b> : le réseau estime 1 à 2 emplois par million de bouteilles réemployées "
       "(estimation, non mesurée)."),
    N_("<b>Corrections</b> : un mois clos ne change plus. Un lot corrigé garde, dans le mois "
       "de sa clôture, les chiffres de sa clôture ; la correction compte dans le mois où elle "
       "est faite, comme une ligne d'ajustement qui nomme le lot et son mois. L'impact corrigé "
       "est calculé avec le jeu de facteurs du lot ; l'ajustement en est la différence."),
    N_("<b>Part d'un membre</b> (restaurant, commerce, point de collecte) : il n'a pas de lot de "
       "lavage ; sa part est, par type, le nombre de contenants repris chez lui dans le mois × "
       "le chiffre moyen par contenant propre des lots du réseau de ce type clôturés dans le "
       "mois, arrondie au gramme une fois par type. Ces parts attribuent les chiffres des lots, "
       "elles ne s'y ajoutent pas : les totaux du réseau restent la somme des lots."),
)


@dataclass(frozen=True)
class ImpactFigures:
    """Summed batch figures (grams, counts)."""

    batches: int = 0
    inputs: int = 0
    containers_reused: int = 0
    containers_rejected: int = 0
    co2e_avoided_g: int = 0
    co2e_process_g: int = 0
    waste_avoided_g: int = 0
    to_recycling_g: int = 0

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ImpactFigures:
        """Read the figures from an API-shaped dict, ignoring other keys."""
        return cls(**{f.name: int(data.get(f.name) or 0) for f in fields(cls)})


@dataclass(frozen=True)
class BreakdownRow:
    """One line of a breakdown (a container type, a site)."""

    key: str
    label: str
    figures: ImpactFigures
    family: str | None = None


@dataclass(frozen=True)
class BatchRow:
    """One closed batch of the month."""

    code: str
    closed_at: datetime
    site: str
    type: str
    factor_set: str
    figures: ImpactFigures


@dataclass(frozen=True)
class AdjustmentRow:
    """A correction made this month of a batch closed earlier: the differences it made."""

    batch: str
    batch_month: str
    corrected_at: datetime
    site: str
    type: str
    factor_set: str
    reason: str
    figures: ImpactFigures

    @property
    def batch_month_label(self) -> str:
        """The month of the batch's close in the reader's language, e.g. 'mars 2026'."""
        return formatting.month_name(self.batch_month)


@dataclass(frozen=True)
class RejectRow:
    """Rejected containers of the month for one reason."""

    reason: str
    count: int
    mass_g: int

    @property
    def label(self) -> str:
        """The reason in French (the vocabulary's label; translate it where shown)."""
        return REASON_LABELS.get(self.reason, self.reason)


@dataclass(frozen=True)
class MonthPoint:
    """One month of the twelve-month series."""

    month: str
    containers_reused: int
    co2e_avoided_g: int
    waste_avoided_g: int
    co2e_process_g: int = 0


@dataclass(frozen=True)
class FactorRow:
    """One factor of a factor set, with its unit and source."""

    key: str
    value: Decimal
    unit: str
    source: str


@dataclass(frozen=True)
class FactorSetInfo:
    """A factor set used by the month's batches."""

    code: str
    name: str
    factors: list[FactorRow] = field(default_factory=list)


@dataclass(frozen=True)
class DepositRow:
    """Deposits of one organisation over the month (cents)."""

    org: str
    taken_cents: int
    refunded_cents: int
    held_cents: int


@dataclass(frozen=True)
class Settlement:
    """What one organisation owes another for boxes returned elsewhere (cents)."""

    from_org: str
    to_org: str
    amount_cents: int


@dataclass(frozen=True)
class DepositsSummary:
    """The month's deposits: totals, per organisation, and settlements."""

    taken_cents: int = 0
    refunded_cents: int = 0
    held_cents: int = 0
    rows: list[DepositRow] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)


@dataclass(frozen=True)
class MonthlyReport:
    """The monthly impact report: one month, optionally one organisation."""

    month: str
    totals: ImpactFigures
    by_type: list[BreakdownRow] = field(default_factory=list)
    by_site: list[BreakdownRow] = field(default_factory=list)
    by_batch: list[BatchRow] = field(default_factory=list)
    adjustments: list[AdjustmentRow] = field(default_factory=list)
    rejects: list[RejectRow] = field(default_factory=list)
    series: list[MonthPoint] = field(default_factory=list)
    factor_sets: list[FactorSetInfo] = field(default_factory=list)
    deposits: DepositsSummary | None = None
    org: str | None = None
    org_name: str | None = None
    network_name: str = "Bouteilles"
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def month_label(self) -> str:
        """The month in the reader's language, e.g. 'mars 2026'."""
        return formatting.month_name(self.month)

    @property
    def scope(self) -> str:
        """Whose figures these are, in the reader's language."""
        return self.org_name or self.org or gettext("tout le réseau")

    @property
    def bottles_reused(self) -> int:
        """Bottles (not boxes) reused this month, for the jobs estimate."""
        return sum(r.figures.containers_reused for r in self.by_type if r.family == "bottle")
