"""The washing site's daily work: receive, sort, release clean stock, read a batch.

Every movement goes through `scans.record_scan` (the life cycle decides) or
`containers.create_crate` (a counted quantity becomes a new crate); batches
themselves are opened, fed and closed by `services/washing/batches.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_, select, text
from sqlalchemy.orm import Session

from ...models import REJECT_REASONS, Batch, ContainerType, Crate, Event, Label, User
from ...models.event import ARRIVALS
from ...vocabulary import LOOP_NAMES
from .. import access
from ..errors import BouteillesError, Forbidden, ValidationError
from ..items.codes import InvalidCode, normalize_code
from ..items.lookup import Item, get_item, get_type
from ..labels.rendering import Label as PrintedLabel
from ..labels.rendering import label_url, render_sheet
from ..movements import create_crate, record_scan
from .batches import MAX_COUNT

MAX_CODES = 2_000


class CodeRefused(BouteillesError):
    """One code of a list was refused; `cause` says why, `text` names the code."""

    def __init__(self, text: str, cause: BouteillesError) -> None:
        super().__init__(cause.message)
        self.code, self.status, self.text, self.cause = cause.code, cause.status, text, cause


@dataclass
class Receipt:
    item: Item
    outcome: str  # "received": a collect was recorded; "already_here": nothing to record


def parse_codes(text: str, *, limit: int = MAX_CODES) -> list[str]:
    """Codes typed, pasted or scanned: one per line, or separated by commas/spaces."""
    codes: list[str] = []
    for part in text.replace(",", " ").replace(";", " ").split():
        try:
            code = normalize_code(part)
        except InvalidCode as exc:
            raise ValidationError(_l("« %(typed)s » n'est pas un code valide : %(detail)s.",
                                     typed=part[:40], detail=exc.message)) from None
        if code not in codes:
            codes.append(code)
    if len(codes) > limit:
        raise ValidationError(_l("Au plus %(n)s codes à la fois.", n=limit))
    return codes


def for_each_code(codes: Iterable[str], act: Callable[[str], object]) -> list:
    """Apply `act` to each code; a refusal names the code it was about."""
    done = []
    for code in codes:
        try:
            done.append(act(code))
        except CodeRefused:
            raise
        except BouteillesError as exc:
            raise CodeRefused(code, exc) from exc
    return done


def receive_codes(session: Session, *, actor: User, codes: list[str]) -> list[Receipt]:
    """Record receipt of crates or containers a collector brought.

    Delivered already (held here, collected or sorted): nothing to record.
    Still shown elsewhere (the collector did not scan `deliver`): the site records
    a `collect`, which the life cycle accepts or flags.
    """
    access.require(actor, "washing_work")
    if not codes:
        raise ValidationError(_l("Scannez ou tapez au moins un code."))

    def receive(code: str) -> Receipt:
        item = get_item(session, code)
        if item.holder_id == actor.org_id and item.state in ("collected", "sorted"):
            return Receipt(item, "already_here")
        result = record_scan(session, actor=actor, code=code, action="collect")
        return Receipt(result.item, "received")

    return for_each_code(codes, receive)


def receive_count(session: Session, *, actor: User, type_code: str, quantity: int) -> Crate:
    """A counted quantity brought loose (bags, boxes): one new crate, collected, here."""
    access.require(actor, "washing_work")
    if not 1 <= quantity <= MAX_COUNT:
        raise ValidationError(_l("Quantité hors limites (1 à %(n)s).", n=MAX_COUNT))
    return create_crate(session, actor=actor, type_code=type_code, quantity=quantity,
                        holder_code=actor.org.code, state="collected")


def sort_codes(session: Session, *, actor: User, codes: list[str],
               reason: str | None = None) -> list[Item]:
    """Sort scanned things: good (sorted) or, with a reason, rejected."""
    access.require(actor, "washing_work")
    if not codes:
        raise ValidationError(_l("Scannez ou tapez au moins un code."))
    if reason is not None and reason not in REJECT_REASONS:
        raise ValidationError(_l("Motif inconnu « %(reason)s ».", reason=reason))
    return for_each_code(codes, lambda code: record_scan(
        session, actor=actor, code=code, action="sort", reason=reason).item)


def sort_crate(session: Session, *, actor: User, code: str,
               rejects: dict[str, int]) -> tuple[Crate, list[Crate]]:
    """Sort a crate by counting: the good part stays in it (sorted), each reason's
    rejects leave in a new crate recorded as rejected with that reason."""
    access.require(actor, "washing_work")
    unknown = set(rejects) - set(REJECT_REASONS)
    if unknown:
        raise ValidationError(_l("Motifs de rebut inconnus : %(reasons)s.",
                                 reasons=", ".join(sorted(unknown))))
    if any(n < 0 for n in rejects.values()):
        raise ValidationError(_l("Un nombre de rebuts ne peut pas être négatif."))
    crate = get_item(session, code)
    if not isinstance(crate, Crate):
        raise ValidationError(_l("Le code %(code)s est un contenant, pas une caisse : triez-le "
                                 "avec un motif s'il est à écarter.", code=crate.code))
    total = sum(rejects.values())
    if total > crate.quantity:
        raise ValidationError(_l("%(total)s rebuts, mais la caisse n'en porte que %(quantity)s.",
                                 total=total, quantity=crate.quantity))
    record_scan(session, actor=actor, code=crate.code, action="sort",
                quantity=crate.quantity - total, split_off=total)
    rejected = []
    for reason, count in sorted(rejects.items()):
        if count <= 0:
            continue
        part = create_crate(session, actor=actor, type_code=crate.type.code, quantity=count,
                            holder_code=actor.org.code, state="sorted")
        record_scan(session, actor=actor, code=part.code, action="reject", reason=reason)
        rejected.append(part)
    return crate, rejected


def batch_outputs(session: Session, batch: Batch) -> list[Crate]:
    """Crates of this batch's clean output: the close's crate and those released from it."""
    return list(session.scalars(
        select(Crate).join(Event, Event.crate_id == Crate.id)
        .where(Event.batch_id == batch.id, Event.action == "commission")
        .order_by(Crate.id)
    ))


def release_in_crates(session: Session, batch: Batch, *, actor: User, size: int) -> list[Crate]:
    """Split the batch's clean output still on site into crates of `size`; new crates."""
    access.require(actor, "washing_work")
    if batch.site_id != actor.org_id:
        raise Forbidden(_l("Ce lot appartient à un autre site de lavage."))
    if batch.status != "closed":
        raise ValidationError(_l("Clôturez le lot avant de libérer le stock propre."))
    if not 1 <= size <= MAX_COUNT:
        raise ValidationError(_l("Taille de caisse hors limites (1 à %(n)s).", n=MAX_COUNT))
    source = session.get(Crate, batch.output_crate_id) if batch.output_crate_id else None
    if source is None or source.state != "clean" or source.holder_id != actor.org_id \
            or source.quantity <= size:
        raise ValidationError(_l("Rien à répartir : la caisse de sortie du lot porte déjà "
                                 "%(size)s bouteilles ou moins, ou n'est plus sur le site.",
                                 size=size))
    rest = source.quantity - size
    # The output crate keeps one crate's worth; the rest leaves in new crates.
    record_scan(session, actor=actor, code=source.code, action="deliver", to=actor.org.code,
                quantity=size, split_off=rest)
    made = []
    while rest > 0:
        part = min(size, rest)
        made.append(create_crate(session, actor=actor, type_code=batch.type.code,
                                 quantity=part, holder_code=actor.org.code, state="clean",
                                 batch_id=batch.id))
        rest -= part
    return made


def batch_events(batch: Batch) -> Select:
    """Everything recorded under this batch, oldest first (for paging)."""
    return select(Event).where(Event.batch_id == batch.id).order_by(Event.occurred_at, Event.id)


def batches_query(*, site_id: int | None, status: str | None = None,
                  type_id: int | None = None) -> Select:
    """Batches, newest first, optionally of one site, status and type."""
    stmt = select(Batch).order_by(Batch.opened_at.desc(), Batch.id.desc())
    if site_id is not None:
        stmt = stmt.where(Batch.site_id == site_id)
    if status in ("open", "closed"):
        stmt = stmt.where(Batch.status == status)
    if type_id is not None:
        stmt = stmt.where(Batch.type_id == type_id)
    return stmt


def active_types(session: Session) -> list[ContainerType]:
    """Container types a batch can be opened for."""
    return list(session.scalars(
        select(ContainerType).where(ContainerType.active.is_(True)).order_by(ContainerType.code)
    ))


def recent_receipts(site_id: int) -> Select:
    """What arrived at the site (delivered to it or collected by it), newest first."""
    return select(Event).where(
        Event.holder_id == site_id, text(ARRIVALS),
        or_(and_(Event.action == "deliver", Event.from_holder_id != site_id),
            Event.action == "collect",
            and_(Event.action == "commission", Event.to_state == "collected")),
    ).order_by(Event.occurred_at.desc(), Event.id.desc())


def crates_held(session: Session, holder_id: int, codes: list[str]) -> list[Crate]:
    """The crates among `codes` that `holder_id` holds (others are not its to label)."""
    if not codes:
        return []
    return list(session.scalars(
        select(Crate).join(Label, Label.crate_id == Crate.id)
        .where(Label.code.in_(codes), Crate.holder_id == holder_id).order_by(Crate.id)
    ))


def crate_caption(ctype: ContainerType, quantity: int) -> str:
    """The text printed beside a crate's QR."""
    return f"Caisse : {quantity} × {ctype.name}\n{LOOP_NAMES.get(ctype.family, 'Bouteilles')}"


def crate_labels_pdf(session: Session, crates: list[Crate], base_url: str) -> bytes:
    """An A4 sheet (PDF) of the crates' labels, with their current code."""
    if not crates:
        raise ValidationError(_l("Aucune caisse à étiqueter."))
    codes = dict(session.execute(
        select(Label.crate_id, Label.code).where(
            Label.crate_id.in_([c.id for c in crates]), Label.detached_at.is_(None))
    ).all())
    labels = [PrintedLabel(codes.get(c.id, c.code), label_url(base_url, codes.get(c.id, c.code)),
                           crate_caption(c.type, c.quantity)) for c in crates]
    return render_sheet(labels)


def type_or_none(session: Session, code: str | None) -> ContainerType | None:
    """A type from a filter field; empty means no filter."""
    return get_type(session, code) if code else None
