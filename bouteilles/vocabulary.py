"""The one vocabulary: every code the record stores, with its French label.

States, actions, reject reasons, anomaly codes, organisation kinds and
container families are defined here and nowhere else. The models' check
constraints, the life cycle, the routes, templates, reports and the scanner's
JavaScript (through its page config) read them. The labels are French, marked
with `N_` so that `pybabel extract` puts them in the catalogue: they are shown
translated like any other text (`_(label)` in a template, `gettext(label)`).

This module imports nothing from the app, so any layer may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(label: str) -> str:
    """Mark a label for `pybabel extract` (gettext's no-op): translated where shown."""
    return label


@dataclass(frozen=True)
class Term:
    """A stored code and how people read it (French; the catalogue translates it)."""

    code: str
    label: str


@dataclass(frozen=True)
class Action(Term):
    """An action, named as a button (`label`) and as what has just been done (`done`)."""

    done: str


@dataclass(frozen=True)
class Family(Term):
    """A container family and the reuse loop it belongs to (a proper name)."""

    loop: str


# The order of each tuple is the order of the values in the database's check
# constraints (migrations write them out): append, never reorder.
STATE_TERMS = (
    Term("clean", N_("propre")),
    Term("in_use", N_("en service")),
    Term("returned", N_("rendu")),
    Term("collected", N_("collecté")),
    Term("sorted", N_("trié")),
    Term("washing", N_("en lavage")),
    Term("rejected", N_("écarté")),
    Term("lost", N_("perdu")),
)

ACTION_TERMS = (
    Action("commission", N_("Mettre en service"), N_("Mis en service")),
    Action("deliver", N_("Livrer"), N_("Livré")),
    Action("lend", N_("Prêter"), N_("Prêté")),
    Action("fill", N_("Remplir"), N_("Rempli")),
    Action("return", N_("Reprendre"), N_("Repris")),
    Action("collect", N_("Collecter"), N_("Collecté")),
    Action("sort", N_("Trier"), N_("Trié")),
    Action("wash", N_("Mettre au lavage"), N_("Mis au lavage")),
    Action("batch_close", N_("Clôturer le lot"), N_("Lot clôturé")),
    Action("reject", N_("Écarter"), N_("Écarté")),
    Action("lose", N_("Déclarer perdu"), N_("Déclaré perdu")),
    Action("find", N_("Retrouvé"), N_("Retrouvé")),
    # Not scans: the undo of an item's latest event (a new event naming it), and a
    # damaged label replaced by a new code.
    Action("undo", N_("Annuler le mouvement"), N_("Mouvement annulé")),
    Action("relabel", N_("Remplacer l'étiquette"), N_("Étiquette remplacée")),
    # Not a scan either: the owner changes (the pool sells to a member, a territory
    # hands objects to another), the state and the holder stay.
    Action("transfer", N_("Transférer la propriété"), N_("Propriété transférée")),
)

REJECT_REASON_TERMS = (
    Term("broken", N_("cassé")),
    Term("chipped", N_("ébréché")),
    Term("wrong_model", N_("mauvais modèle")),
    Term("residue", N_("résidus")),
    Term("other", N_("autre")),
    # A label or its glue still on the bottle after washing: the producer's labels
    # do not wash off (services/producers.py traces it to the bottle's last fill).
    Term("label", N_("étiquette ou colle restée")),
)

# What an accepted scan is flagged with for the coordinator: a step the record
# skipped, a lost thing found again, a scan by someone the record does not show
# holding the thing, a crate whose count changed.
ANOMALY_TERMS = (
    Term("skipped_lend", N_("prêt non scanné")),
    Term("skipped_return", N_("retour non scanné")),
    Term("skipped_collect", N_("collecte non scannée")),
    Term("skipped_sort", N_("tri non scanné")),
    Term("collected_clean", N_("collecté propre")),
    Term("sorted_clean", N_("trié propre")),
    Term("rewash", N_("relavé propre")),
    Term("found_on_return", N_("perdu, retrouvé au retour")),
    Term("found_on_collect", N_("perdu, retrouvé à la collecte")),
    Term("found_on_sort", N_("perdu, retrouvé au tri")),
    Term("found_on_wash", N_("perdu, retrouvé au lavage")),
    Term("found_on_reject", N_("perdu, retrouvé et écarté")),
    Term("unexpected_holder", N_("détenteur inattendu")),
    Term("recount", N_("quantité recomptée")),
    Term("found_in_count", N_("trouvé à l'inventaire")),
)

ORG_KIND_TERMS = (
    Term("restaurant", N_("Restaurant")),
    Term("winegrower", N_("Vigneron")),
    Term("washing_site", N_("Site de lavage")),
    Term("collection_point", N_("Point de collecte")),
    Term("collector", N_("Collecteur")),
    Term("event_organiser", N_("Organisateur d'événements")),
    Term("coordinator", N_("Coordination")),
)

FAMILY_TERMS = (
    Family("bottle", N_("Bouteille"), "J'aime mes bouteilles"),
    Family("box", N_("Boîte"), "Ju'Ramène Ta Boîte"),
)

# The glass colours of bottle models, as the glassworks' catalogues name them.
GLASS_COLOUR_TERMS = (
    Term("extra_flint", N_("extra-blanc")),
    Term("flint", N_("blanc")),
    Term("dead_leaf", N_("feuille-morte")),
    Term("green", N_("vert")),
    Term("antique_green", N_("vert antique")),
    Term("amber", N_("ambre")),
    Term("other", N_("autre teinte")),
)


def codes(terms: tuple[Term, ...]) -> tuple[str, ...]:
    """The codes of `terms`, in order."""
    return tuple(term.code for term in terms)


def labels(terms: tuple[Term, ...]) -> dict[str, str]:
    """French label by code."""
    return {term.code: term.label for term in terms}


STATES = codes(STATE_TERMS)
ACTIONS = codes(ACTION_TERMS)
REJECT_REASONS = codes(REJECT_REASON_TERMS)
ANOMALIES = codes(ANOMALY_TERMS)
ORG_KINDS = codes(ORG_KIND_TERMS)
FAMILIES = codes(FAMILY_TERMS)
GLASS_COLOURS = codes(GLASS_COLOUR_TERMS)

# French labels by code: templates show them through `_()`, which translates.
STATE_LABELS = labels(STATE_TERMS)
ACTION_LABELS = labels(ACTION_TERMS)
ACTION_DONE_LABELS = {action.code: action.done for action in ACTION_TERMS}
REASON_LABELS = labels(REJECT_REASON_TERMS)
ANOMALY_LABELS = labels(ANOMALY_TERMS)
KIND_LABELS = labels(ORG_KIND_TERMS)
FAMILY_LABELS = labels(FAMILY_TERMS)
GLASS_COLOUR_LABELS = labels(GLASS_COLOUR_TERMS)
LOOP_NAMES = {family.code: family.loop for family in FAMILY_TERMS}

# Every list of terms, by the name the scanner's config and the tests use.
VOCABULARY: dict[str, tuple[Term, ...]] = {
    "states": STATE_TERMS,
    "actions": ACTION_TERMS,
    "reasons": REJECT_REASON_TERMS,
    "anomalies": ANOMALY_TERMS,
    "org_kinds": ORG_KIND_TERMS,
    "families": FAMILY_TERMS,
    "glass_colours": GLASS_COLOUR_TERMS,
}

# French labels by list, then code ("done": what an action has just done).
LABELS: dict[str, dict[str, str]] = {name: labels(terms) for name, terms in VOCABULARY.items()}
LABELS["done"] = ACTION_DONE_LABELS
# The lists the scanner names (its page config carries them, translated).
SCANNER_LISTS = ("actions", "done", "states", "reasons")


def term_label(name: str, code: str | None) -> str:
    """French label of `code` in the list `name` (a VOCABULARY key, or "done" for
    what an action has just done); an unknown code is shown as it is."""
    return LABELS[name].get(code, code) if code else ""
