"""The monthly report as plain tables, one per section: what the CSV files hold.

Each column says what its values are (`Column.kind`), so a renderer writes grams
as kilograms, cents as euros and moments in Paris time; the header names the
unit. Headers are French msgids, translated when the tables are built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext

from ..i18n import N_
from .model import ImpactFigures, MonthlyReport

TEXT, COUNT, GRAMS, CENTS, MOMENT, MONTH, DECIMAL = (
    "text", "count", "grams", "cents", "moment", "month", "decimal")

# ImpactFigures' fields, in the API's names, with their headers.
FIGURES = (
    ("batches", N_("Lots"), COUNT),
    ("inputs", N_("Contenants entrés"), COUNT),
    ("containers_reused", N_("Contenants réemployés"), COUNT),
    ("containers_rejected", N_("Contenants écartés"), COUNT),
    ("co2e_avoided_g", N_("CO₂e évité (kg)"), GRAMS),
    ("co2e_process_g", N_("CO₂e du procédé (kg)"), GRAMS),
    ("waste_avoided_g", N_("Déchets évités (kg)"), GRAMS),
    ("to_recycling_g", N_("Verre au recyclage (kg)"), GRAMS),
)
SUMMARY_UNITS = {COUNT: N_("nombre"), GRAMS: "kg", CENTS: "€"}
# Sections the tables below render; other fields of the report get a generic table.
RENDERED = {"month", "totals", "by_type", "by_site", "by_batch", "adjustments", "rejects",
            "series", "factor_sets", "deposits", "org", "org_name", "territory_name",
            "network_name",
            "generated_at", "issuer", "in_progress", "through", "circulation", "sensitivity",
            "work"}
PERCENT, HOURS, FTE = "%", "h", "fte"


@dataclass(frozen=True)
class Column:
    """A column: its header (unit included, translated) and the kind of its values."""

    header: str
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    """One section of the report: `name` is its file name without the extension."""

    name: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


def _cols(*pairs: tuple[str, str]) -> list[Column]:
    return [Column(gettext(header), kind) for header, kind in pairs]


def _figure_columns() -> list[Column]:
    return _cols(*((header, kind) for _, header, kind in FIGURES))


def _figures(figures: ImpactFigures) -> list[int]:
    return [getattr(figures, key) for key, _, _ in FIGURES]


def names(report: MonthlyReport) -> Callable[[str], str]:
    """Code → name of the types, sites and factor sets the report knows (else the code)."""
    known = {r.key: r.label for r in (*report.by_type, *report.by_site)}
    known |= {s.code: s.name for s in report.factor_sets}
    return lambda code: known.get(code) or code


def report_tables(report: MonthlyReport) -> list[Table]:
    """Every section of the report as a table, in the order of the PDF."""
    name = names(report)
    tables = [_about(report), _summary(report), indicators(report)]
    for table_name, header, rows in ((N_("par-type"), N_("Type de contenant"), report.by_type),
                                     (N_("par-site"), N_("Site de lavage"), report.by_site)):
        tables.append(Table(gettext(table_name),
                            [*_cols((N_("Code"), TEXT), (header, TEXT)), *_figure_columns()],
                            [[r.key, r.label, *_figures(r.figures)] for r in rows]))
    tables.append(Table(
        gettext("par-lot"),
        [*_cols((N_("Lot"), TEXT), (N_("Clôturé le (heure de Paris)"), MOMENT),
                (N_("Site de lavage"), TEXT), (N_("Type de contenant"), TEXT),
                (N_("Jeu de facteurs"), TEXT)), *_figure_columns()],
        [[b.code, b.closed_at, site_of(b, name), type_of(b, name), b.factor_set,
          *_figures(b.figures)] for b in report.by_batch]))
    tables.append(Table(
        gettext("ajustements"),
        [*_cols((N_("Lot"), TEXT), (N_("Mois du lot"), MONTH),
                (N_("Corrigé le (heure de Paris)"), MOMENT), (N_("Site de lavage"), TEXT),
                (N_("Type de contenant"), TEXT), (N_("Jeu de facteurs"), TEXT),
                (N_("Motif"), TEXT)), *_figure_columns()],
        [[a.batch, a.batch_month, a.corrected_at, site_of(a, name), type_of(a, name), a.factor_set,
          a.reason, *_figures(a.figures)] for a in report.adjustments]))
    tables.append(Table(
        gettext("rebuts"),
        _cols((N_("Motif"), TEXT), (N_("Nombre"), COUNT), (N_("Verre au recyclage (kg)"), GRAMS)),
        [[gettext(r.label), r.count, r.mass_g] for r in report.rejects]))
    tables.append(Table(
        gettext("douze-mois"),
        _cols((N_("Mois"), MONTH), (N_("Contenants réemployés"), COUNT),
              (N_("CO₂e évité (kg)"), GRAMS), (N_("CO₂e du procédé (kg)"), GRAMS),
              (N_("Déchets évités (kg)"), GRAMS)),
        [[p.month, p.containers_reused, p.co2e_avoided_g, p.co2e_process_g, p.waste_avoided_g]
         for p in report.series]))
    tables.append(Table(
        gettext("facteurs"),
        _cols((N_("Jeu de facteurs"), TEXT), (N_("Facteur"), TEXT), (N_("Valeur"), DECIMAL),
              (N_("Bas de la plage"), DECIMAL), (N_("Haut de la plage"), DECIMAL),
              (N_("Unité"), TEXT), (N_("Source"), TEXT)),
        [[s.code, f.key, f.value, getattr(f, "low", None), getattr(f, "high", None), f.unit,
          f.source] for s in report.factor_sets for f in s.factors]))
    if report.deposits is not None:
        dep = report.deposits
        tables.append(Table(
            gettext("consignes"),
            _cols((N_("Organisation"), TEXT), (N_("Consignes encaissées (€)"), CENTS),
                  (N_("Remboursées (€)"), CENTS), (N_("Solde net (€)"), CENTS)),
            [[r.org, r.taken_cents, r.refunded_cents, r.held_cents] for r in dep.rows]))
        tables.append(Table(
            gettext("reglements"),
            _cols((N_("De"), TEXT), (N_("À"), TEXT), (N_("Montant (€)"), CENTS)),
            [[s.from_org, s.to_org, s.amount_cents] for s in dep.settlements]))
    tables.extend(other_sections(report))
    return tables


def site_of(row: object, name: Callable[[str], str]) -> str:
    """A batch or adjustment line's site name (the code when no name is known)."""
    return getattr(row, "site_name", "") or name(row.site)


def type_of(row: object, name: Callable[[str], str]) -> str:
    """A batch or adjustment line's container type name (the code when none is known)."""
    return getattr(row, "type_name", "") or name(row.type)


def _about(report: MonthlyReport) -> Table:
    issuer = getattr(report, "issuer", None)
    rows = [[gettext("Rapport"), gettext("Impact mensuel")],
            [gettext("Émetteur"), getattr(report, "issuer_name", report.network_name)]]
    if issuer is not None and issuer.address:
        rows.append([gettext("Adresse"), ", ".join(issuer.address.split("\n"))])
    if issuer is not None and issuer.siret:
        rows.append(["SIRET", issuer.siret_label])  # spaced: text, not a number to round
    rows += [[gettext("Mois"), getattr(report, "period_label", report.month_label)],
            [gettext("Périmètre"), report.scope],
            [gettext("Édité le (heure de Paris)"), report.generated_at],
            [gettext("Jeux de facteurs"), ", ".join(s.code for s in report.factor_sets)]]
    rows += [[key, value] for key, value in _other_values(report)]
    return Table(gettext("rapport"), _cols((N_("Rubrique"), TEXT), (N_("Valeur"), TEXT)),
                 rows)


SUMMARY = (
    ("containers_reused", N_("Contenants réemployés")),
    ("co2e_avoided_g", N_("CO₂e évité")),
    ("co2e_process_g", N_("CO₂e du procédé (lavage, transport, remplacement)")),
    ("waste_avoided_g", N_("Déchets évités")),
    ("to_recycling_g", N_("Verre envoyé au recyclage")),
    ("batches", N_("Lots de lavage clôturés")),
    ("inputs", N_("Contenants entrés en lavage")),
    ("containers_rejected", N_("Contenants écartés")),
)


def _summary(report: MonthlyReport) -> Table:
    kinds = {key: kind for key, _, kind in FIGURES}
    rows = [[gettext(label), getattr(report.totals, key), kinds[key]] for key, label in SUMMARY]
    if report.deposits is not None:
        dep = report.deposits
        rows += [[gettext("Consignes encaissées"), dep.taken_cents, CENTS],
                 [gettext("Consignes remboursées"), dep.refunded_cents, CENTS],
                 [gettext("Solde net des consignes"), dep.held_cents, CENTS]]
    columns = _cols((N_("Indicateur"), TEXT), (N_("Valeur"), DECIMAL), (N_("Unité"), TEXT))
    # One value column, one unit per row: values are converted here, exactly.
    return Table(gettext("synthese"), columns,
                 [[label, in_unit(value, kind), gettext(SUMMARY_UNITS[kind])]
                  for label, value, kind in rows])


def in_unit(value: int, kind: str) -> Decimal | int:
    """Grams as kilograms and cents as euros, exact (every gram, every cent kept)."""
    if kind == GRAMS:
        return (Decimal(value) / 1000).quantize(Decimal("0.001"))
    if kind == CENTS:
        return (Decimal(value) / 100).quantize(Decimal("0.01"))
    return value


def indicators(report: MonthlyReport) -> Table:
    """The funders' figures: circulation, the range of the factors, hours worked."""
    rows: list[tuple[str, object, str]] = []
    circulation = getattr(report, "circulation", None)
    if circulation is not None:
        rows += [(N_("Prêts"), circulation.lends, COUNT),
                 (N_("Retours"), circulation.returns, COUNT),
                 (N_("Contenants perdus"), circulation.lost, COUNT),
                 (N_("Taux de retour"), circulation.return_rate, PERCENT),
                 (N_("Taux de perte"), circulation.loss_rate, PERCENT),
                 (N_("Réemplois par contenant"), circulation.reuses_per_container, DECIMAL),
                 (N_("Consignes détenues en fin de mois"), circulation.deposits_held_cents,
                  CENTS)]
    sensitivity = getattr(report, "sensitivity", None)
    if sensitivity is not None:
        rows += [(N_("CO₂e évité, facteurs au bas de leur plage"),
                  sensitivity.co2e_avoided_low_g, GRAMS),
                 (N_("CO₂e évité, facteurs au haut de leur plage"),
                  sensitivity.co2e_avoided_high_g, GRAMS),
                 (N_("Déchets évités, facteurs au bas de leur plage"),
                  sensitivity.waste_avoided_low_g, GRAMS),
                 (N_("Déchets évités, facteurs au haut de leur plage"),
                  sensitivity.waste_avoided_high_g, GRAMS)]
    work = getattr(report, "work", None)
    if work is not None:
        rows += [(N_("Heures travaillées (lots qui les relèvent)"), work.hours_worked, HOURS),
                 (N_("dont heures d'insertion"), work.insertion_hours, HOURS),
                 (N_("Lots relevant leurs heures"), work.batches, COUNT),
                 (N_("Contenants réemployés de ces lots"), work.containers_reused, COUNT),
                 (N_("Équivalents temps plein du mois"), work.fte, FTE),
                 (N_("Emplois par million de contenants réemployés"), work.jobs_per_million,
                  DECIMAL)]
    units = {COUNT: N_("nombre"), GRAMS: "kg", CENTS: "€", PERCENT: "%", HOURS: "h",
             FTE: N_("ETP"), DECIMAL: ""}
    columns = _cols((N_("Indicateur"), TEXT), (N_("Valeur"), DECIMAL), (N_("Unité"), TEXT))
    return Table(gettext("indicateurs"), columns,
                 [[gettext(label), _display(value, kind), gettext(units[kind]) if units[kind]
                   else ""] for label, value, kind in rows])


def _display(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == PERCENT:
        return (Decimal(value) * 100).quantize(Decimal("0.1"))
    if kind in (GRAMS, CENTS):
        return in_unit(value, kind)
    return value


def _other_values(report: MonthlyReport) -> list[tuple[str, object]]:
    """Fields of the report no table renders that hold one value."""
    return [(f.name, getattr(report, f.name)) for f in fields(report)
            if f.name not in RENDERED and not isinstance(getattr(report, f.name), list | tuple)
            and not is_dataclass(getattr(report, f.name))]


def other_sections(report: MonthlyReport) -> list[Table]:
    """Fields of the report no table renders that hold rows (or one record): one table each,
    headed by their field names, numbers as they are."""
    tables = []
    for f in fields(report):
        value = getattr(report, f.name)
        if f.name in RENDERED:
            continue
        records = [value] if is_dataclass(value) else value if isinstance(value, list) else None
        if not records or not is_dataclass(records[0]):
            continue
        rows = [_flat(r) for r in records]
        columns = [Column(header, kind) for header, _, kind in rows[0]]
        tables.append(Table(f.name.replace("_", "-"), columns,
                            [[v for _, v, _ in r] for r in rows]))
    return tables


def _flat(record: object) -> list[tuple[str, object, str]]:
    """A record's (header, value, kind): its figures expanded, cents and grams by name."""
    out: list[tuple[str, object, str]] = []
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, ImpactFigures):
            out += [(gettext(header), getattr(value, key), kind) for key, header, kind in FIGURES]
        elif not isinstance(value, list | tuple | dict | bytes) and not is_dataclass(value):
            kind = CENTS if f.name.endswith("_cents") else GRAMS if f.name.endswith("_g") \
                else _kind(value)
            unit = {CENTS: " (€)", GRAMS: " (kg)"}.get(kind, "")
            out.append((f.name + unit, value, kind))
    return out


def _kind(value: object) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return TEXT
    if isinstance(value, int):
        return COUNT
    if isinstance(value, datetime):
        return MOMENT
    if isinstance(value, date):
        return TEXT
    return DECIMAL if isinstance(value, Decimal | float) else TEXT
