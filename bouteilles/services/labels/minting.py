"""Printing labels for the network: which codes, which URL, which caption.

`services/labels/rendering.py` draws; this module decides what goes on each label:
the QR's URL (``{BASE_URL}/q/<code>``, or the GS1 Digital Link when asked and
configured), and a caption naming the type and the loop. New codes can be
minted onto a sheet, commissioned at once for a holder or left for their
first scan (a `commission` scan by a washing site or the coordinator).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...models import Container, ContainerType, Crate, Label, Organisation, User
from ...vocabulary import LOOP_NAMES
from .. import access
from ..errors import Forbidden, UnknownCode, ValidationError
from ..items.gs1 import digital_link, grai_for_code
from ..items.lookup import get_type, parse_code
from ..movements import commission_containers, mint_codes
from ..territories import Scope
from .rendering import Label as PrintedLabel
from .rendering import label_url

MAX_LABELS = 5_000


def loop_name(family: str) -> str:
    """The reuse loop a container family belongs to."""
    return LOOP_NAMES.get(family, "Bouteilles")


def caption(ctype: ContainerType, quantity: int | None = None) -> str:
    """Printed next to the QR: the type name (a crate says how many) and the loop name."""
    what = ctype.name if quantity is None else f"Caisse : {quantity} × {ctype.name}"
    return f"{what}\n{loop_name(ctype.family)}"


def asset_type_ref(config: Mapping, ctype: ContainerType, *, crate: bool = False) -> str | None:
    """The GRAI asset type reference of a type (of its crates: `crate`), or None when GS1
    is not configured.

    `GS1_ASSET_TYPES` maps type codes (a crate of a type: "crate:" + the type code) to
    digit strings; a type not listed gets its database id, zero-padded to fill the 12
    digits after the company prefix, a crate the same with a leading 9.
    """
    prefix = config.get("GS1_COMPANY_PREFIX")
    if not prefix:
        return None
    configured = dict(config.get("GS1_ASSET_TYPES") or {})
    width = 12 - len(prefix)
    if crate:
        return configured.get(f"crate:{ctype.code}") or "9" + str(ctype.id).zfill(width - 1)
    return configured.get(ctype.code) or str(ctype.id).zfill(width)


def type_grai(config: Mapping, ctype: ContainerType, *, crate: bool = False) -> str:
    """The GRAI of a type's containers (or crates) without serial: "0", 12 digits, check."""
    return grai_for_code(config["GS1_COMPANY_PREFIX"],
                         asset_type_ref(config, ctype, crate=crate), "")


def target_url(config: Mapping, code: str, ctype: ContainerType, *, gs1: bool = False,
               crate: bool = False) -> str:
    """The URL a label's QR encodes: /q/<code>, or its GS1 Digital Link when asked for."""
    base = config["BASE_URL"]
    ref = asset_type_ref(config, ctype, crate=crate) if gs1 else None
    if ref is None:
        return label_url(base, code)
    return digital_link(base, grai_for_code(config["GS1_COMPANY_PREFIX"], ref, code))


def parse_code_list(text: str) -> list[str]:
    """Codes typed or pasted one per line (or separated by commas/semicolons), in order."""
    raw = [part.strip() for line in text.splitlines() for part in line.replace(";", ",")
           .split(",")]
    codes: list[str] = []
    for part in filter(None, raw):
        try:
            code = parse_code(part)
        except ValidationError:
            raise ValidationError(_l("« %(typed)s » n'est pas un code valide (faute de frappe ?).",
                                     typed=part[:40])) from None
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ValidationError(_l("Indiquez au moins un code."))
    if len(codes) > MAX_LABELS:
        raise ValidationError(_l("Au plus %(n)s étiquettes à la fois.", n=MAX_LABELS))
    return codes


def _require_territory(session: Session, rows: Mapping[str, Label], scope: Scope) -> None:
    """Refuse (403) a territory's coordination the labels of another territory: a label
    is its territory's, or on an object one of its members holds (lookup.item_in_scope)."""
    if scope.whole:
        return
    foreign = {code: label for code, label in rows.items()
               if label.territory_id != scope.territory_id}
    held: set[tuple[str, int]] = set()
    for model, column in ((Container, Label.container_id), (Crate, Label.crate_id)):
        ids = [getattr(label, column.key) for label in foreign.values()
               if getattr(label, column.key) is not None]
        for start in range(0, len(ids), 500):
            held.update((model.__name__, i) for i in session.scalars(
                select(model.id).join(Organisation, Organisation.id == model.holder_id)
                .where(model.id.in_(ids[start:start + 500]), scope.members())))
    foreign = [code for code, label in foreign.items()
               if ("Container", label.container_id) not in held
               and ("Crate", label.crate_id) not in held]
    if foreign:
        raise Forbidden(lazy_ngettext(
            "Code d'un autre territoire : %(codes)s.", "Codes d'un autre territoire : %(codes)s.",
            len(foreign), codes=", ".join(foreign[:10])))


def labels_for_codes(session: Session, codes: Sequence[str], config: Mapping, *,
                     gs1: bool = False, scope: Scope = Scope.WHOLE) -> list[PrintedLabel]:
    """Printable labels for codes the network minted (in service or not yet); a
    territory's coordination (`scope`) prints its territory's."""
    rows: dict[str, Label] = {}
    for start in range(0, len(codes), 500):
        chunk = list(codes[start:start + 500])
        rows.update((lb.code, lb) for lb in session.scalars(
            select(Label).where(Label.code.in_(chunk))))
    missing = [code for code in codes if code not in rows]
    if missing:
        raise UnknownCode(lazy_ngettext("Code jamais imprimé par le réseau : %(codes)s.",
                                        "Codes jamais imprimés par le réseau : %(codes)s.",
                                        len(missing), codes=", ".join(missing[:10])))
    _require_territory(session, rows, scope)
    types = {t.id: t for t in session.scalars(select(ContainerType))}
    crates: dict[int, Crate] = {}
    box_types: dict[int, int] = {}
    crate_ids = [lb.crate_id for lb in rows.values() if lb.crate_id]
    box_ids = [lb.container_id for lb in rows.values() if lb.container_id]
    for start in range(0, max(len(crate_ids), len(box_ids)), 500):
        some_crates, some_boxes = crate_ids[start:start + 500], box_ids[start:start + 500]
        if some_crates:
            crates.update((c.id, c) for c in session.scalars(
                select(Crate).where(Crate.id.in_(some_crates))))
        if some_boxes:
            box_types.update(session.execute(select(Container.id, Container.type_id)
                                              .where(Container.id.in_(some_boxes))).all())
    result = []
    for code in codes:
        label = rows[code]
        quantity = None
        if label.crate_id:
            crate = crates[label.crate_id]
            type_id, quantity = crate.type_id, crate.quantity
        elif label.container_id:
            type_id = box_types[label.container_id]
        else:
            type_id = label.type_id
        ctype = types.get(type_id)
        if ctype is None:
            result.append(PrintedLabel(code, label_url(config["BASE_URL"], code), None))
            continue
        result.append(PrintedLabel(code, target_url(config, code, ctype, gs1=gs1,
                                              crate=bool(label.crate_id)),
                                   caption(ctype, quantity)))
    return result


def mint_labels(session: Session, *, actor: User, count: int, type_code: str,
                holder_code: str | None = None, commission: bool = False) -> list[str]:
    """Mint `count` new codes of a type; commission them at once at `holder` if asked.
    The labels are of the actor's territory (their home, as the objects')."""
    if not access.may(actor, "commission"):  # minting codes is commissioning's right
        raise Forbidden(_l("Seuls la coordination et les sites de lavage créent des codes."))
    if not 1 <= count <= MAX_LABELS:
        raise ValidationError(_l("Entre 1 et %(n)s étiquettes à la fois.", n=MAX_LABELS))
    ctype = get_type(session, type_code)
    codes = mint_codes(session, count, ctype)
    territory_id = actor.org.territory_id
    if territory_id is not None:
        for start in range(0, len(codes), 500):
            session.execute(update(Label).where(Label.code.in_(codes[start:start + 500]))
                            .values(territory_id=territory_id))
    if commission:
        commission_containers(session, actor=actor, type_code=type_code, count=count,
                              holder_code=holder_code, codes=codes)
    return codes
