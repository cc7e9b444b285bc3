"""The one vocabulary: every code the record stores, with its French and English label.

States, actions, reject reasons, anomaly codes, organisation kinds and
container families are defined here and nowhere else. The models' check
constraints, the life cycle, the routes, templates, reports and the scanner's
JavaScript (through its page config) read them; i18n adds the labels to the
English catalogue, so `_(label)` translates them like any other French text.

This module imports nothing from the app, so any layer may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A stored code and how people read it."""

    code: str
    fr: str
    en: str

    def label(self, locale: str = "fr") -> str:
        return self.en if locale == "en" else self.fr


@dataclass(frozen=True)
class Action(Term):
    """An action, named as a button (`fr`) and as what has just been done (`done_fr`)."""

    done_fr: str
    done_en: str

    def done(self, locale: str = "fr") -> str:
        return self.done_en if locale == "en" else self.done_fr


@dataclass(frozen=True)
class Family(Term):
    """A container family and the reuse loop it belongs to (a proper name)."""

    loop: str


# The order of each tuple is the order of the values in the database's check
# constraints (migrations write them out): append, never reorder.
STATE_TERMS = (
    Term("clean", "propre", "clean"),
    Term("in_use", "en service", "in use"),
    Term("returned", "rendu", "returned"),
    Term("collected", "collecté", "collected"),
    Term("sorted", "trié", "sorted"),
    Term("washing", "en lavage", "washing"),
    Term("rejected", "écarté", "rejected"),
    Term("lost", "perdu", "lost"),
)

ACTION_TERMS = (
    Action("commission", "Mettre en service", "Commission", "Mis en service", "Commissioned"),
    Action("deliver", "Livrer", "Deliver", "Livré", "Delivered"),
    Action("lend", "Prêter", "Lend", "Prêté", "Lent"),
    Action("fill", "Remplir", "Fill", "Rempli", "Filled"),
    Action("return", "Reprendre", "Take back", "Repris", "Taken back"),
    Action("collect", "Collecter", "Collect", "Collecté", "Collected"),
    Action("sort", "Trier", "Sort", "Trié", "Sorted"),
    Action("wash", "Mettre au lavage", "Wash", "Mis au lavage", "In the wash"),
    Action("batch_close", "Clôturer le lot", "Close the batch", "Lot clôturé", "Batch closed"),
    Action("reject", "Écarter", "Reject", "Écarté", "Rejected"),
    Action("lose", "Déclarer perdu", "Declare lost", "Déclaré perdu", "Declared lost"),
    Action("find", "Retrouvé", "Found", "Retrouvé", "Found"),
)

REJECT_REASON_TERMS = (
    Term("broken", "cassé", "broken"),
    Term("chipped", "ébréché", "chipped"),
    Term("wrong_model", "mauvais modèle", "wrong model"),
    Term("residue", "résidus", "residue"),
    Term("other", "autre", "other"),
)

# What an accepted scan is flagged with for the coordinator: a step the record
# skipped, a lost thing found again, a scan by someone the record does not show
# holding the thing, a crate whose count changed.
ANOMALY_TERMS = (
    Term("skipped_lend", "prêt non scanné", "lend not scanned"),
    Term("skipped_return", "retour non scanné", "return not scanned"),
    Term("skipped_collect", "collecte non scannée", "collection not scanned"),
    Term("skipped_sort", "tri non scanné", "sorting not scanned"),
    Term("collected_clean", "collecté propre", "collected while clean"),
    Term("sorted_clean", "trié propre", "sorted while clean"),
    Term("rewash", "relavé propre", "washed again while clean"),
    Term("found_on_return", "perdu, retrouvé au retour", "lost, found at a return"),
    Term("found_on_collect", "perdu, retrouvé à la collecte", "lost, found at a collection"),
    Term("found_on_sort", "perdu, retrouvé au tri", "lost, found at sorting"),
    Term("found_on_wash", "perdu, retrouvé au lavage", "lost, found at washing"),
    Term("found_on_reject", "perdu, retrouvé et écarté", "lost, found and rejected"),
    Term("unexpected_holder", "détenteur inattendu", "unexpected holder"),
    Term("recount", "quantité recomptée", "quantity recounted"),
)

ORG_KIND_TERMS = (
    Term("restaurant", "Restaurant", "Restaurant"),
    Term("winegrower", "Vigneron", "Winegrower"),
    Term("washing_site", "Site de lavage", "Washing site"),
    Term("collection_point", "Point de collecte", "Collection point"),
    Term("collector", "Collecteur", "Collector"),
    Term("event_organiser", "Organisateur d'événements", "Event organiser"),
    Term("coordinator", "Coordination", "Coordinator"),
)

FAMILY_TERMS = (
    Family("bottle", "Bouteille", "Bottle", "J'aime mes bouteilles"),
    Family("box", "Boîte", "Box", "Ju'Ramène Ta Boîte"),
)


def codes(terms: tuple[Term, ...]) -> tuple[str, ...]:
    """The codes of `terms`, in order."""
    return tuple(term.code for term in terms)


def labels(terms: tuple[Term, ...], locale: str = "fr") -> dict[str, str]:
    """Label by code."""
    return {term.code: term.label(locale) for term in terms}


STATES = codes(STATE_TERMS)
ACTIONS = codes(ACTION_TERMS)
REJECT_REASONS = codes(REJECT_REASON_TERMS)
ANOMALIES = codes(ANOMALY_TERMS)
ORG_KINDS = codes(ORG_KIND_TERMS)
FAMILIES = codes(FAMILY_TERMS)

# French labels by code: templates show them through `_()`, which translates.
STATE_LABELS = labels(STATE_TERMS)
ACTION_LABELS = labels(ACTION_TERMS)
ACTION_DONE_LABELS = {action.code: action.done_fr for action in ACTION_TERMS}
REASON_LABELS = labels(REJECT_REASON_TERMS)
ANOMALY_LABELS = labels(ANOMALY_TERMS)
KIND_LABELS = labels(ORG_KIND_TERMS)
FAMILY_LABELS = labels(FAMILY_TERMS)
LOOP_NAMES = {family.code: family.loop for family in FAMILY_TERMS}

# Every list of terms, by the name the scanner's config and the tests use.
VOCABULARY: dict[str, tuple[Term, ...]] = {
    "states": STATE_TERMS,
    "actions": ACTION_TERMS,
    "reasons": REJECT_REASON_TERMS,
    "anomalies": ANOMALY_TERMS,
    "org_kinds": ORG_KIND_TERMS,
    "families": FAMILY_TERMS,
}


_FRENCH = {name: labels(terms) for name, terms in VOCABULARY.items()}
_FRENCH["done"] = ACTION_DONE_LABELS


def term_label(name: str, code: str | None) -> str:
    """French label of `code` in the list `name` (a VOCABULARY key, or "done" for
    what an action has just done); an unknown code is shown as it is."""
    return _FRENCH[name].get(code, code) if code else ""


def scanner_labels(locale: str) -> dict[str, dict[str, str]]:
    """What the scanner names, by list then code, in one locale (its page config)."""
    return {
        "actions": labels(ACTION_TERMS, locale),
        "done": {action.code: action.done(locale) for action in ACTION_TERMS},
        "states": labels(STATE_TERMS, locale),
        "reasons": labels(REJECT_REASON_TERMS, locale),
    }


def translations(locale: str) -> dict[str, str]:
    """French label → label in `locale`, for the i18n catalogue."""
    if locale == "fr":
        return {}
    pairs: dict[str, str] = {}
    for terms in VOCABULARY.values():
        for term in terms:
            pairs[term.fr] = term.label(locale)
            if isinstance(term, Action):
                pairs[term.done_fr] = term.done(locale)
    return pairs
