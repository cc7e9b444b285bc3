"""The three imports: organisations, users, labelled stock. Each checks one row
with the same service functions as the pages and the command line (create_org,
create_user, commission_containers), so their rules live in one place.

`check_*` runs inside the import's savepoint: a row is written there to be
checked against the rows before it (a code twice in the file is refused like a
code already in the database), and everything is rolled back unless the whole
file is valid and the import applies it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...i18n import N_
from ...models import ContainerType, Label, Organisation, Territory, User
from ...vocabulary import KIND_LABELS, ORG_KINDS
from ..errors import BouteillesError, FieldError, ValidationError
from ..geography.coordinates import checked_coordinates
from ..items.lookup import get_org, get_type, parse_code
from ..members.accounts import checked_gln, create_org, create_user
from ..members.management import reset_password
from ..movements import MAX_TRANSFER, commission_containers, transfer_ownership
from ..territories import Scope
from .reading import Column, Row, folded

MAX_USERS = 100  # each temporary password is a slow hash (scrypt, about 0.12 s)
MAX_TEXT = 2_000  # an address or opening hours: a paragraph at most

ORG_COLUMNS = (
    Column("code", N_("code"), ("code",), required=True),
    Column("name", N_("nom"), ("nom", "name", "raison sociale"), required=True),
    Column("kind", N_("type"), ("type", "kind", "genre"), required=True),
    Column("address", N_("adresse"), ("adresse", "address")),
    Column("hours", N_("horaires"), ("horaires", "hours", "opening hours",
                                     "heures d'ouverture")),
    Column("territory", N_("territoire"), ("territoire", "territory")),
    Column("latitude", N_("latitude"), ("latitude", "lat")),
    Column("longitude", N_("longitude"), ("longitude", "lon", "lng", "long")),
    Column("gln", N_("gln"), ("gln",)),
)
USER_COLUMNS = (
    Column("email", N_("email"), ("email", "e-mail", "mail", "courriel", "adresse e-mail"),
           required=True),
    Column("name", N_("nom"), ("nom", "name", "prenom nom", "nom complet")),
    Column("org", N_("organisation"), ("organisation", "organization", "org", "membre"),
           required=True),
    Column("admin", N_("admin"), ("admin", "administrateur", "administrator")),
    Column("locale", N_("langue"), ("langue", "language", "locale", "lang")),
)
STOCK_COLUMNS = (
    Column("code", N_("code"), ("code", "etiquette", "label"), required=True),
    Column("type", N_("type"), ("type", "type de contenant", "container type"),
           required=True),
    Column("holder", N_("détenteur"), ("detenteur", "holder"), required=True),
    Column("owner", N_("propriétaire"), ("proprietaire", "owner")),
    Column("state", N_("état"), ("etat", "state")),
)

_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_NO = {"non", "n", "no", "faux", "false", "0", ""}
_LOCALES = {"fr": "fr", "francais": "fr", "french": "fr", "en": "en", "anglais": "en",
            "english": "en", "": None}
# Kind codes and their French and English names, as a spreadsheet may spell them.
_ENGLISH_KINDS = {"restaurant": "restaurant", "winegrower": "winegrower",
                  "washing site": "washing_site", "collection point": "collection_point",
                  "collector": "collector", "event organiser": "event_organiser",
                  "event organizer": "event_organiser", "coordinator": "coordinator",
                  "coordination": "coordinator"}
KIND_NAMES = {**_ENGLISH_KINDS, **{folded(code): code for code in ORG_KINDS},
              **{folded(label): code for code, label in KIND_LABELS.items()}}
_CLEAN = {"", "propre", "clean"}


class CellError(FieldError):
    """What is wrong with one cell: `field` is the column's key."""


def cell(column: str, message: object) -> CellError:
    """The refusal of one cell of `column` (its key)."""
    return CellError(column, message)


@dataclass
class Context:
    """Who imports and what they see: `actor` (None: the command line), `scope`."""

    session: Session
    actor: User | None
    scope: Scope
    apply: bool
    passwords: list[tuple[str, str]] = field(default_factory=list)
    stock: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)
    users: list[User] = field(default_factory=list)
    owners: dict[str, list[str]] = field(default_factory=dict)  # codes by another owner
    labels: dict[str, Label] = field(default_factory=dict)  # the file's printed labels
    found: dict[tuple[str, str], object] = field(default_factory=dict)  # looked-up rows

    def lookup(self, what: str, code: str, find: Callable):
        """`find(session, code)` once per code and kind of thing (a type, a member)."""
        key = (what, code)
        if key not in self.found:
            try:
                self.found[key] = find(self.session, code)
            except BouteillesError as exc:
                self.found[key] = exc
        if isinstance(self.found[key], BouteillesError):
            raise self.found[key]
        return self.found[key]


def _number(row: Row, key: str) -> float | None:
    text = row.get(key).replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise cell(key, _l("« %(text)s » n'est pas un nombre.", text=row.get(key))) from None


def _text(row: Row, key: str, limit: int = MAX_TEXT) -> str | None:
    text = row.get(key)
    if len(text) > limit:
        raise cell(key, _l("Au plus %(n)s caractères.", n=limit))
    return text or None


def _territory_id(ctx: Context, code: str) -> int | None:
    """The member's territory: the one named (the national coordination), a
    territory's coordination's own (named or not; another: refused)."""
    if not ctx.scope.whole:
        if code and code != ctx.scope.territory_code:
            raise cell("territory", _l("Vous importez les membres de votre territoire "
                                            "seulement."))
        return ctx.scope.territory_id
    if not code:
        return None
    found = ctx.session.scalar(select(Territory.id).where(Territory.code == code))
    if found is None:
        raise cell("territory", _l("Aucun territoire « %(code)s ».", code=code))
    return found


def check_org(ctx: Context, row: Row) -> None:
    """One organisation, created as the organisation form creates it."""
    kind = KIND_NAMES.get(folded(row.get("kind")))
    if kind is None:
        raise cell("kind", _l("Type « %(kind)s » inconnu : restaurant, vigneron, site de "
                              "lavage, point de collecte, collecteur, organisateur "
                              "d'événements ou coordination.", kind=row.get("kind")))
    latitude, longitude = _number(row, "latitude"), _number(row, "longitude")
    try:
        latitude, longitude = checked_coordinates(latitude, longitude)
    except FieldError as exc:
        raise cell(exc.field, exc.message) from None
    name = row.get("name")
    if len(name) > Organisation.__table__.c.name.type.length:
        raise cell("name", _l("Au plus %(n)s caractères.",
                                   n=Organisation.__table__.c.name.type.length))
    try:
        gln = checked_gln(ctx.session, row.get("gln"))
    except BouteillesError as exc:
        raise cell("gln", exc.message) from None
    territory_id = _territory_id(ctx, row.get("territory"))
    try:
        create_org(ctx.session, code=row.get("code"), name=name, kind=kind,
                   address=_text(row, "address"), opening_hours=_text(row, "hours"),
                   gln=gln, territory_id=territory_id, latitude=latitude, longitude=longitude)
    except BouteillesError as exc:  # the code (its shape, or taken), or no name
        raise cell("code" if name.strip() else "name", exc.message) from None


def _yes(row: Row, key: str) -> bool:
    value = folded(row.get(key))
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise cell(key, _l("Répondez « oui » ou « non »."))


def check_user(ctx: Context, row: Row) -> None:
    """One user, created as an invitation creates it: with a temporary password
    (the command line's `users password --temporary`), made only when applied."""
    locale_text = folded(row.get("locale"))
    if locale_text not in _LOCALES:
        raise cell("locale", _l("Langue « %(text)s » inconnue : fr ou en.",
                                     text=row.get("locale")))
    admin = _yes(row, "admin")
    name = row.get("name")
    if len(name) > User.__table__.c.name.type.length:
        raise cell("name", _l("Au plus %(n)s caractères.",
                                   n=User.__table__.c.name.type.length))
    try:
        org = ctx.lookup("org", row.get("org"), get_org)
        ctx.scope.require(org)
    except BouteillesError as exc:
        raise cell("org", exc.message) from None
    if len(row.get("email")) > User.__table__.c.email.type.length:
        raise cell("email", _l("Au plus %(n)s caractères.",
                                    n=User.__table__.c.email.type.length))
    try:
        user = create_user(ctx.session, email=row.get("email"), org=org, password=None,
                           name=name or None, admin=admin)
    except BouteillesError as exc:
        column = "admin" if admin and org.kind != "coordinator" else "email"
        raise cell(column, exc.message) from None
    user.locale = _LOCALES[locale_text]
    ctx.users.append(user)


def write_users(ctx: Context) -> int:
    """Give each user of a valid file a temporary password (shown once, to be
    changed at the first login), as `flask users password --temporary` does; only
    when applied: each is a slow hash."""
    if not ctx.apply:
        return len(ctx.users)
    for user in ctx.users:
        ctx.passwords.append((user.email, reset_password(ctx.session, user, actor=ctx.actor)))
    return len(ctx.users)


def check_stock(ctx: Context, row: Row) -> None:
    """One labelled container already in use: its code (a label the network printed
    and attached to nothing, or a code of ours not yet registered), its type, its
    holder, its owner (none named: the importing coordination); clean. Written by
    `write_stock`."""
    if ctx.actor is None:
        raise ValidationError(_l("Précisez qui met en service (--by)."))
    try:
        code = parse_code(row.get("code"))
    except BouteillesError as exc:
        raise cell("code", exc.message) from None
    if code in ctx.codes:
        raise cell("code", _l("Le code %(code)s apparaît deux fois dans le fichier.",
                                   code=code))
    try:
        ctype = ctx.lookup("type", row.get("type"), get_type)
    except BouteillesError as exc:
        raise cell("type", exc.message) from None
    _check_label(ctx, code, ctype)
    try:
        holder = ctx.lookup("org", row.get("holder"), get_org)
        ctx.scope.require(holder)
    except BouteillesError as exc:
        raise cell("holder", exc.message) from None
    if not holder.active:
        raise cell("holder", _l("%(name)s n'est plus membre actif du réseau.",
                                name=holder.name))
    owner = row.get("owner")
    if owner and owner != ctx.actor.org.code:
        try:
            owner_org = ctx.lookup("org", owner, get_org)
            ctx.scope.require(owner_org)
        except BouteillesError as exc:
            raise cell("owner", exc.message) from None
        if not owner_org.active:
            raise cell("owner", _l("%(name)s n'est plus membre actif du réseau.",
                                        name=owner_org.name))
        ctx.owners.setdefault(owner, []).append(code)
    if folded(row.get("state")) not in _CLEAN:
        raise cell("state", _l("Le stock importé est mis en service propre : laissez "
                                    "« propre » ou la case vide ; un contenant sale sera "
                                    "enregistré par les mouvements habituels."))
    ctx.codes.add(code)
    ctx.stock.setdefault((ctype.id, holder.id), []).append(code)


def load_labels(ctx: Context, rows: list[Row]) -> None:
    """The labels of the file's codes, in a few queries instead of one a row (kept in
    `ctx.labels`, so the session's identity map keeps them for the commission)."""
    codes = set()
    for row in rows:
        try:
            codes.add(parse_code(row.get("code")))
        except BouteillesError:
            continue  # check_stock says why
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):
        for label in ctx.session.scalars(select(Label).where(
                Label.code.in_(ordered[start:start + 500]))):
            ctx.labels[label.code] = label


def _check_label(ctx: Context, code: str, ctype: ContainerType) -> None:
    label = ctx.labels.get(code)
    if label is None:
        return  # a code of ours never registered: its label is registered with it
    if label.container_id is not None or label.crate_id is not None:
        raise cell("code", _l("Le code %(code)s est déjà en service.", code=code))
    if label.type_id is not None and label.type_id != ctype.id:
        printed = ctx.session.get(ContainerType, label.type_id)
        raise cell("type", _l("Le code %(code)s a été imprimé pour le type « %(type)s ».",
                                   code=code, type=printed.name))
    if not ctx.scope.whole and label.territory_id not in (None, ctx.scope.territory_id):
        raise cell("code", _l("Le code %(code)s est une étiquette d'un autre territoire.",
                                   code=code))


def write_stock(ctx: Context) -> int:
    """Register the unregistered codes and commission every row, by type and holder,
    through the movements package (one commission event per container; owned by
    the importing coordination, as a commission makes it), then hand the rows
    naming another owner to it (one transfer event each)."""
    if ctx.actor is None or not ctx.stock:
        return 0  # check_stock refused every row without an actor
    session, count = ctx.session, 0
    types = {t.id: t for t in session.scalars(select(ContainerType).where(
        ContainerType.id.in_({type_id for type_id, _ in ctx.stock})))}
    for (type_id, holder_id), codes in ctx.stock.items():
        for code in codes:
            if code not in ctx.labels:
                ctx.labels[code] = Label(code=code, type_id=type_id,
                                         territory_id=ctx.actor.org.territory_id)
                session.add(ctx.labels[code])
        session.flush()
        holder = session.get(Organisation, holder_id)
        commission_containers(session, actor=ctx.actor, type_code=types[type_id].code,
                              count=len(codes), holder_code=holder.code, codes=codes)
        count += len(codes)
    for owner, codes in ctx.owners.items():
        for start in range(0, len(codes), MAX_TRANSFER):
            transfer_ownership(session, ctx.actor, codes[start:start + MAX_TRANSFER], owner)
    return count


@dataclass(frozen=True)
class Kind:
    """An import: its columns, its row check, its final write, its most rows."""

    code: str
    label: str
    columns: tuple[Column, ...]
    check: Callable[[Context, Row], None]
    finish: Callable[[Context], int] | None = None
    max_rows: int | None = None
    prepare: Callable[[Context, list[Row]], None] | None = None


KINDS = {
    "orgs": Kind("orgs", N_("Organisations"), ORG_COLUMNS, check_org),
    "users": Kind("users", N_("Utilisateurs"), USER_COLUMNS, check_user, write_users,
                  max_rows=MAX_USERS),
    "stock": Kind("stock", N_("Stock étiqueté"), STOCK_COLUMNS, check_stock, write_stock,
                  prepare=load_labels),
}
