"""Everything a monthly impact report shows, independent of its format.

Reports are written in the reader's language, French outside a request (the
command line), and their figures and dates too (`bouteilles/formatting.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
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
    N_("<b>Circulation</b> : prêts, retours et pertes du mois enregistrés avant sa fin ; taux "
       "de retour = retours ÷ prêts, taux de perte = pertes ÷ prêts (les retours d'un mois "
       "rendent aussi des prêts plus anciens). Réemplois moyens par contenant = contenants "
       "propres sortis des lots depuis le début ÷ contenants mis en service, à la fin du mois. "
       "Consignes détenues : solde du registre des consignes à la fin du mois."),
    N_("<b>Fourchette</b> : chaque facteur dont les sources donnent une plage est porté à "
       "l'extrémité qui abaisse, puis à celle qui relève, le chiffre (verre neuf, lavage par "
       "contenant, emballage jetable évité) ; l'énergie mesurée, le transport et les "
       "corrections du mois restent à leur valeur."),
    N_("<b>Emplois</b> : heures saisies à la clôture des lots, dont celles de personnes en "
       "parcours d'insertion. Équivalents temps plein du mois = heures ÷ (1 607 h ÷ 12), "
       "1 607 h étant la durée légale annuelle du travail en France ; emplois par million de "
       "contenants = (heures ÷ 1 607 h) ÷ millions de contenants propres des lots qui ont "
       "saisi leurs heures, à comparer à l'estimation du pilote (1 à 2 emplois par million de "
       "bouteilles). Les tournées de collecte n'ont pas d'enregistrement propre : leurs heures "
       "ne sont pas encore comptées."),
    N_("<b>Reproductible</b> : les chiffres d'un mois terminé ne comptent que ce qui a été "
       "enregistré avant sa fin ; le même rapport, régénéré plus tard, donne les mêmes "
       "chiffres."),
)


def period_label(month: str, through: date | None) -> str:
    """A month, or the days of it counted so far: 'du 1er au 5 décembre 2026, mois en cours'."""
    if through is None:
        return formatting.month_name(month)
    last = formatting.paris_date(through, "long")
    if through.day == 1:
        return gettext("le %(day)s, mois en cours", day=last)
    return gettext("du 1er au %(last)s, mois en cours", last=last)


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
    site_name: str = ""
    type_name: str = ""


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
    site_name: str = ""
    type_name: str = ""

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
    low: Decimal | None = None
    high: Decimal | None = None


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
    org_name: str = ""


@dataclass(frozen=True)
class Settlement:
    """What one organisation owes another for boxes returned elsewhere (cents)."""

    from_org: str
    to_org: str
    amount_cents: int
    from_name: str = ""
    to_name: str = ""


@dataclass(frozen=True)
class DepositsSummary:
    """The month's deposits: totals, per organisation, and settlements."""

    taken_cents: int = 0
    refunded_cents: int = 0
    held_cents: int = 0
    rows: list[DepositRow] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)


@dataclass(frozen=True)
class Issuer:
    """Who issues the report: the cooperative (set by an administrator)."""

    name: str
    address: str | None = None
    siret: str | None = None
    logo: bytes | None = None
    logo_type: str | None = None

    @property
    def siret_label(self) -> str:
        """'SIRET 123 456 789 00012', or '' when not set."""
        if not self.siret:
            return ""
        s = self.siret
        return f"SIRET {s[:3]} {s[3:6]} {s[6:9]} {s[9:]}"


@dataclass(frozen=True)
class Circulation:
    """Lends, returns and losses of the month, and the deposits held at its end."""

    lends: int = 0
    returns: int = 0
    lost: int = 0
    return_rate: Decimal | None = None
    loss_rate: Decimal | None = None
    reuses_per_container: Decimal | None = None
    deposits_held_cents: int = 0


@dataclass(frozen=True)
class Sensitivity:
    """CO₂e and waste avoided with the factors at the ends of their ranges (grams)."""

    co2e_avoided_low_g: int
    co2e_avoided_high_g: int
    waste_avoided_low_g: int
    waste_avoided_high_g: int


@dataclass(frozen=True)
class Work:
    """Hours worked on the month's batches, full-time equivalents, jobs per million."""

    hours_worked: Decimal = Decimal(0)
    insertion_hours: Decimal = Decimal(0)
    batches: int = 0
    containers_reused: int = 0
    fte: Decimal = Decimal(0)
    jobs_per_million: Decimal | None = None
    annual_hours: Decimal = Decimal(1607)
    estimate_low: int = 1
    estimate_high: int = 2


@dataclass(frozen=True)
class LongLoop:
    """A loop of the month past the network's limit: its places' names and distance."""

    origin: str
    site: str
    destination: str
    km: float
    by_road: bool
    past_break_even: bool


@dataclass(frozen=True)
class LoopCheck:
    """The month's loops past the network's limit (km) and past the reuse break-even
    (the counts for the spreadsheets, the longest loops for the method page)."""

    limit_km: float
    break_even_km: float
    over_limit: int = 0
    over_break_even: int = 0
    long: list[LongLoop] = field(default_factory=list)


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
    territory_name: str | None = None  # a territory's report (none: the network's)
    network_name: str = "Bouteilles"
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    issuer: Issuer | None = None
    in_progress: bool = False
    through: date | None = None
    circulation: Circulation | None = None
    sensitivity: Sensitivity | None = None
    work: Work = field(default_factory=Work)
    loops: LoopCheck | None = None  # the method page's word on loop distances

    @property
    def issuer_name(self) -> str:
        """Who issues the report: the issuer set by an administrator, else the network."""
        return self.issuer.name if self.issuer else self.network_name

    @property
    def month_label(self) -> str:
        """The month in the reader's language, e.g. 'mars 2026'."""
        return formatting.month_name(self.month)

    @property
    def period_label(self) -> str:
        """'mars 2026', or for the month in progress 'du 1er au 5 décembre 2026, mois en
        cours' (Paris days), in the reader's language."""
        if not self.in_progress or self.through is None:
            return self.month_label
        return period_label(self.month, self.through)

    @property
    def scope(self) -> str:
        """Whose figures these are, in the reader's language."""
        return self.org_name or self.org or self.territory_name or gettext("tout le réseau")

    @property
    def heading(self) -> str:
        """The first page's title: 'Novembre 2026', a territory's 'Jura — novembre 2026'."""
        if self.territory_name and not self.org:
            return f"{self.territory_name} — {self.month_label}"
        return self.month_label.capitalize()

    @property
    def title(self) -> str:
        """'Rapport d'impact novembre 2026'; a territory's names it: 'Rapport d'impact —
        Jura — novembre 2026'."""
        if self.territory_name and not self.org:
            return gettext("Rapport d'impact — %(territory)s — %(month)s",
                           territory=self.territory_name, month=self.period_label)
        return gettext("Rapport d'impact %(month)s", month=self.period_label)

    @property
    def bottles_reused(self) -> int:
        """Bottles (not boxes) reused this month, for the jobs estimate."""
        return sum(r.figures.containers_reused for r in self.by_type if r.family == "bottle")
