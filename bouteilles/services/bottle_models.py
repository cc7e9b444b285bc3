"""The registry of bottle models: which physical bottle (mould, colour, volume, glass
mass, glassworks) each container type is made of.

The national coordination keeps it, as it keeps the container types (the routes
refuse the others' changes). A type points to at most one model, and only a bottle
type does; the washing site sorts by model ("mauvais modèle" rejects) and a
winegrower's request names a type, which names its model. The impact keeps
reading the type's mass: the model's is shown beside it, not used.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import BottleModel, ContainerType, ContainerTypeRevision, User
from ..vocabulary import GLASS_COLOUR_LABELS, GLASS_COLOURS
from .errors import Conflict, NotFound, ValidationError
from .items.stock import stock_rows
from .members.accounts import SLUG
from .members.management import MAX_MASS_G, MAX_VOLUME_ML
from .paging import Page, paginate

MODEL_FIELDS = ("name", "mould_ref", "colour", "volume_ml", "mass_g", "glassworks")
# Free-text fields and their longest length (the columns').
TEXT_LENGTHS = {"name": 200, "mould_ref": 100, "glassworks": 100}
# What a washing site still has to sort (received, not yet sorted).
TO_SORT = ("returned", "collected")


def list_models(session: Session, *, page: int) -> Page:
    return paginate(session, select(BottleModel).order_by(BottleModel.name, BottleModel.code),
                    page)


def all_models(session: Session) -> list[BottleModel]:
    """Every model, by name (the type form's select)."""
    return list(session.scalars(select(BottleModel).order_by(BottleModel.name)))


def get_model(session: Session, code: str | None) -> BottleModel:
    """A model by its code; 404 for an unknown one."""
    model = None if "\x00" in (code or "") else session.scalar(
        select(BottleModel).where(BottleModel.code == (code or "")))
    if model is None:
        raise NotFound(_l("Aucun modèle de bouteille « %(code)s ».", code=code))
    return model


def types_of(session: Session, model: BottleModel) -> list[ContainerType]:
    """The container types made of `model`."""
    return list(session.scalars(select(ContainerType).where(ContainerType.model_id == model.id)
                                .order_by(ContainerType.code)))


def _checked(values: dict) -> dict:
    """The model's values, trimmed and checked (the form checks too; an API or a
    script calling this gets the same refusals)."""
    clean = {field: values.get(field) for field in MODEL_FIELDS}
    for field, length in TEXT_LENGTHS.items():
        text = (clean[field] or "").strip()
        if len(text) > length:
            raise ValidationError(_l("Texte trop long (%(n)s caractères au plus).", n=length))
        clean[field] = text or None
    if clean["name"] is None:
        raise ValidationError(_l("Le nom est obligatoire."))
    if clean["colour"] not in GLASS_COLOURS:
        raise ValidationError(_l("Choisissez la teinte du verre."))
    volume, mass = clean["volume_ml"], clean["mass_g"]
    if not isinstance(volume, int) or not 0 < volume <= MAX_VOLUME_ML:
        raise ValidationError(_l("Le volume (ml) doit être entre 1 et %(max)s.",
                                 max=MAX_VOLUME_ML))
    if not isinstance(mass, int) or not 0 < mass <= MAX_MASS_G:
        raise ValidationError(_l("La masse (g) doit être un entier entre 1 et %(max)s.",
                                 max=MAX_MASS_G))
    return clean


def create_model(session: Session, *, code: str, values: dict) -> BottleModel:
    """A new model of the registry."""
    if not SLUG.match(code or ""):
        raise ValidationError(_l("Code « %(code)s » invalide : minuscules, chiffres et tirets.",
                                 code=code))
    clean = _checked(values)
    if session.scalar(select(BottleModel.id).where(BottleModel.code == code)):
        raise Conflict(_l("Le modèle « %(code)s » existe déjà.", code=code))
    model = BottleModel(code=code, **clean)
    session.add(model)
    session.flush()
    return model


def update_model(session: Session, model: BottleModel, *, values: dict) -> bool:
    """Change a model; whether anything changed."""
    clean = _checked(values)
    changed = [field for field in MODEL_FIELDS if getattr(model, field) != clean[field]]
    for field in changed:
        setattr(model, field, clean[field])
    session.flush()
    return bool(changed)


def set_type_model(session: Session, ctype: ContainerType, model_code: str | None, *,
                   actor: User) -> ContainerTypeRevision | None:
    """Point a type to a model (None: to none), kept in the type's history as the
    model's code; a box type takes none."""
    model = get_model(session, model_code) if model_code else None
    if model is not None and ctype.family != "bottle":
        raise ValidationError(_l("Un modèle de bouteille ne va qu'à un type de bouteille."))
    old = ctype.model
    if old is model:
        return None
    ctype.model = model
    revision = ContainerTypeRevision(
        type_id=ctype.id, changed_by_id=actor.id, action="update",
        old_values={"model": old.code if old else None},
        new_values={"model": model.code if model else None})
    session.add(revision)
    session.flush()
    return revision


# ------------------------------------------------------------------ how it reads


def volume_text(volume_ml: int) -> str:
    """A bottle's volume as the trade says it: 75 cl, 62 cl; 375 ml."""
    return f"{volume_ml // 10} cl" if volume_ml % 10 == 0 else f"{volume_ml} ml"


def colour_label(colour: str) -> str:
    """The colour's name, translated."""
    return gettext(GLASS_COLOUR_LABELS.get(colour, colour))


def describe_model(model: BottleModel | None) -> str:
    """« Bordelaise, vert, 75 cl », « Bourgogne 75 cl, feuille-morte » (a name saying
    its volume is not repeated; empty for no model), translated."""
    if model is None:
        return ""
    volume = volume_text(model.volume_ml)
    parts = [model.name, colour_label(model.colour)] + ([] if volume in model.name else [volume])
    return ", ".join(parts)


def type_with_model(ctype: ContainerType) -> str:
    """A type as a select offers it: its name, then its model's."""
    if ctype.model is None:
        return ctype.name
    return f"{ctype.name} — {describe_model(ctype.model)}"


def model_body(model: BottleModel | None) -> dict | None:
    """A model in the API (null for a type without one)."""
    if model is None:
        return None
    return {"code": model.code, "name": model.name, "mould_ref": model.mould_ref,
            "colour": model.colour, "volume_ml": model.volume_ml, "mass_g": model.mass_g,
            "glassworks": model.glassworks}


def sort_reference(session: Session, site_id: int) -> list[dict]:
    """The sort page's reference: each active bottle type with its model, and how many
    of it the site still has to sort (so the operator knows what each should be)."""
    waiting: dict[str, int] = {}
    for row in stock_rows(session, holder_id=site_id):
        if row["state"] in TO_SORT:
            waiting[row["type"]] = waiting.get(row["type"], 0) + row["count"]
    types = session.scalars(select(ContainerType).where(
        ContainerType.active.is_(True), ContainerType.family == "bottle")
        .order_by(ContainerType.code))
    rows = [{"type": t, "model": t.model, "waiting": waiting.get(t.code, 0)} for t in types]
    return sorted(rows, key=lambda r: (r["waiting"] == 0, r["type"].code))
