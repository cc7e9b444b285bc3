"""What anyone scanning a label may know: the object, its reuse, where to return it.

Nothing here names a customer, a member of staff or an individual movement:
the public page shows the type, a plain-words state, the deposit, the number
of completed reuse cycles, the CO₂e those cycles saved, the day a box out with
a customer is due back, the member places that take the object back and how
to reach the coordination that runs the scheme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...i18n import N_
from ...models import BottleModel, Container, ContainerType, Crate, Organisation
from ..errors import NotFound
from ..impact.figures import compute_batch_impact
from ..labels.minting import loop_name
from ..territories import deposit_cents as territory_deposit
from ..washing.batches import factor_set_in_force
from .codes import format_code
from .lookup import Item, find_item, find_label

PLACES_PER_PAGE = 12
# Who takes an object back, by family: boxes go back to restaurants (which refund
# the deposit); empty bottles to collection points, and restaurants take them too.
RETURN_KINDS = {
    "box": ("restaurant", "event_organiser"),
    "bottle": ("collection_point", "restaurant"),
    "any": ("restaurant", "collection_point", "event_organiser"),  # code not found
}

# A consumer's words for the state (French source text, translated in templates):
# one text, or one per subject where the words agree with it. The subject is the
# noun the page's title names: "box" (une boîte), "bottle" (une bouteille), or the
# bottles or boxes a crate carries ("crate_box", "crate_bottle"), never the type's
# own name (a "Clavelin du Jura" is still "une bouteille" on the page).
CONSUMER_STATES = {
    "clean": {
        "box": N_("Boîte lavée et contrôlée : prête pour un nouveau repas à emporter."),
        "bottle": N_("Bouteille lavée et contrôlée : prête à être remplie par un vigneron."),
        "crate_box": N_("Boîtes lavées et contrôlées : prêtes pour un nouveau service."),
        "crate_bottle": N_("Bouteilles lavées et contrôlées : prêtes à être remplies par un "
                           "vigneron."),
    },
    "in_use": {
        "box": N_("En circulation : une fois vide, rapportez-la dans un restaurant du réseau."),
        "bottle": N_("En circulation : une fois vide, rapportez-la dans un point de collecte."),
        "crate_box": N_("En circulation dans le réseau."),
        "crate_bottle": N_("En circulation dans le réseau."),
    },
    "returned": N_("De retour dans le réseau : en attente de la collecte, puis du lavage."),
    "collected": N_("En route vers le site de lavage."),
    "sorted": N_("Au site de lavage, en attente du lavage."),
    "washing": N_("En cours de lavage."),
    "rejected": {
        "box": N_("Boîte retirée du circuit (abîmée) : son verre part au recyclage."),
        "bottle": N_("Bouteille retirée du circuit (abîmée) : son verre part au recyclage."),
        "crate_box": N_("Boîtes retirées du circuit (abîmées) : leur verre part au recyclage."),
        "crate_bottle": N_("Bouteilles retirées du circuit (abîmées) : leur verre part au "
                           "recyclage."),
    },
    "lost": {
        "box": N_("Boîte déclarée perdue : si vous l'avez en main, rapportez-la dans un "
                  "restaurant du réseau."),
        "bottle": N_("Bouteille déclarée perdue : si vous l'avez en main, rapportez-la dans un "
                     "point de collecte."),
        "crate_box": N_("Caisse déclarée perdue : si vous l'avez en main, rapportez-la dans un "
                        "lieu du réseau."),
        "crate_bottle": N_("Caisse déclarée perdue : si vous l'avez en main, rapportez-la dans "
                           "un lieu du réseau."),
    },
}
# The names of the types the first migration creates: data, but the public page
# and the labels form show a type's name through `_()`, so the catalogue carries
# these (a type added later is shown as it is named).
DEFAULT_TYPE_NAMES = (
    N_("Bouteille 75 cl (standard réemploi)"),
    N_("Clavelin du Jura 62 cl"),
    N_("Boîte en verre Ju'Ramène 500 ml"),
    N_("Boîte en verre Ju'Ramène 750 ml"),
)


@dataclass
class PublicItem:
    """The public facts of one labelled object."""

    code: str
    readable_code: str
    kind: str  # container | crate
    family: str  # box | bottle
    loop: str
    type_name: str
    state: str
    state_text: str
    deposit_cents: int
    quantity: int
    cycles: int
    co2e_saved_g: int | None
    factor_set: str | None
    return_by: datetime | None = None  # a box out with a customer: due back by then
    places: list[Organisation] = field(default_factory=list)
    replaced: str | None = None  # the code looked up, when its label was replaced by `code`
    type_code: str = ""  # for the link to the map of the places that take it back
    territory_id: int | None = None  # its home: its territory's places are listed first
    model: BottleModel | None = None  # a bottle's model: shape, colour, volume
    # The owner when it is a coordination (the cooperative's pool); None for a member
    # that bought it: who bought what from the pool is the members' business.
    owner_name: str | None = None

    def overdue(self, now: datetime) -> bool:
        """Whether the box is past its return date."""
        return self.return_by is not None and now > self.return_by


def consumer_state(state: str, family: str, kind: str = "container") -> str:
    """The state said for a consumer, agreeing with the page's subject (French source text)."""
    text = CONSUMER_STATES.get(state, "")
    subject = f"crate_{family}" if kind == "crate" else family
    return text.get(subject, "") if isinstance(text, dict) else text


def return_by(item: Item, family: str, overdue_days: int) -> datetime | None:
    """When a box out with a customer is due back: its lend plus the overdue delay."""
    if (family != "box" or not isinstance(item, Container) or item.state != "in_use"
            or item.lent_at is None):
        return None
    return item.lent_at + timedelta(days=overdue_days)


def scheme_contact(session: Session) -> Organisation | None:
    """The coordination that runs the scheme, to contact (the first active one)."""
    return session.scalar(select(Organisation).where(
        Organisation.kind == "coordinator", Organisation.active.is_(True))
        .order_by(Organisation.id).limit(1))


def co2e_saved_g(session: Session, ctype: ContainerType, cycles: int) -> tuple[int, str] | None:
    """CO₂e saved by one container's completed reuse cycles, in grams, and the factor set.

    Method: the completed cycles are treated as one washing batch of `cycles`
    clean outputs and no reject, computed with IMPACT.md's formulas
    (`compute_batch_impact`) and the factor set in force: for a bottle,
    cycles × (m × EF_glass − e_wash); for a box, cycles × (e_SU − e_wash_box).
    That is cycles × the per-unit avoided CO₂e of the type, rounded once to the
    gram. Transport is left out: it is recorded per batch, not per object, so
    the figure is slightly generous; the monthly reports stay the reference.
    """
    if cycles <= 0:
        return (0, "")
    try:
        factor_set = factor_set_in_force(session)
        impact = compute_batch_impact(family=ctype.family, mass_g=ctype.mass_g, n_in=cycles,
                                      n_ok=cycles, n_rej=0, factors=factor_set.values())
    except (NotFound, ValueError):
        return None  # no usable factor set: say nothing rather than something wrong
    return max(impact.co2e_avoided_g, 0), factor_set.code


def return_places(session: Session, family: str, *, page: int = 1,
                  territory_id: int | None = None) -> tuple[list, int]:
    """Active member places taking back this family of object, one page; and their count.
    Those of `territory_id` (the object's home) come first: any takes it back."""
    kinds = RETURN_KINDS.get(family, RETURN_KINDS["box"])
    where = (Organisation.kind.in_(kinds), Organisation.active.is_(True))
    total = session.scalar(select(func.count(Organisation.id)).where(*where)) or 0
    home = Organisation.territory_id.is_not_distinct_from(territory_id)
    order = [~home, Organisation.kind != kinds[0], Organisation.name, Organisation.id]
    rows = session.scalars(select(Organisation).where(*where).order_by(*order)
                           .offset((max(page, 1) - 1) * PLACES_PER_PAGE).limit(PLACES_PER_PAGE))
    return list(rows), total


def describe_public(session: Session, item: Item, *, overdue_days: int) -> PublicItem:
    """The public facts of an item (`overdue_days`: how long a box may stay out)."""
    ctype = item.type
    cycles = item.cycles
    saved = co2e_saved_g(session, ctype, cycles) if item.kind == "container" else None
    return PublicItem(
        code=item.code, readable_code=format_code(item.code), kind=item.kind,
        family=ctype.family, loop=loop_name(ctype.family), type_name=ctype.name,
        state=item.state, state_text=consumer_state(item.state, ctype.family, item.kind),
        deposit_cents=territory_deposit(session, ctype, item.territory_id)
        if item.kind == "container" else 0,
        quantity=item.quantity if isinstance(item, Crate) else 1, cycles=cycles,
        co2e_saved_g=saved[0] if saved else None, factor_set=saved[1] if saved else None,
        return_by=return_by(item, ctype.family, overdue_days), type_code=ctype.code,
        territory_id=item.territory_id, model=ctype.model,
        owner_name=item.owner.name if item.owner.kind == "coordinator" else None,
    )


def public_item(session: Session, code: str, *, overdue_days: int) -> PublicItem | None:
    """The public facts of a canonical code in service; None when it is not."""
    item = find_item(session, code)
    if item is None:
        return None
    public = describe_public(session, item, overdue_days=overdue_days)
    if item.code != code:  # an old label: the object carries a new one
        public.replaced = format_code(code)
    return public


def minted_not_in_service(session: Session, code: str) -> bool:
    """Whether the code was printed by the network but is not in service yet."""
    label = find_label(session, code)
    return label is not None and label.container_id is None and label.crate_id is None
