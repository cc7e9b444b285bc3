"""The coordinator's work on members: organisations, users, API tokens, container types.

Invitations hand out a generated temporary password, shown once to the
coordinator, who passes it on; it must be replaced at the first login
(`TemporaryPassword`). There is no mail server in the network's set-up, so a
one-time link would have to travel by hand anyway.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from ...models import (
    FAMILIES,
    ApiToken,
    ContainerType,
    ContainerTypeRevision,
    Organisation,
    TemporaryPassword,
    Territory,
    TerritoryDeposit,
    User,
)
from .. import access
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..paging import Page, paginate
from ..territories import Scope
from .accounts import (
    SLUG,
    check_new_password,
    checked_gln,
    create_user,
    hash_password,
    issue_token,
    revoke_token,
)
from .logins import end_user_logins

MAX_MASS_G, MAX_VOLUME_ML, MAX_DEPOSIT_CENTS = 100_000, 100_000, 100_000
TYPE_FIELDS = ("name", "family", "mass_g", "volume_ml", "deposit_cents", "active")
# No look-alike characters: the password is read out or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """A random password of 14 unambiguous characters (about 80 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(14))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "").replace("%", "").replace("_", "") + "%"


# ------------------------------------------------------------------ organisations


def list_orgs(session: Session, *, page: int, q: str = "", kind: str = "",
              scope: Scope = Scope.WHOLE) -> Page:
    """Organisations by name (the scope's members), optionally filtered by a search
    text and a kind."""
    stmt = select(Organisation).where(scope.members()) \
        .order_by(Organisation.name, Organisation.id)
    if q:
        stmt = stmt.where(or_(Organisation.name.ilike(_like(q)),
                              Organisation.code.ilike(_like(q))))
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return paginate(session, stmt, page)


def update_org(session: Session, org: Organisation, *, name: str, address: str | None,
               opening_hours: str | None, gln: str | None = None) -> Organisation:
    """Change an organisation's name, address, opening hours and GLN (not its code or
    kind)."""
    if not (name or "").strip():
        raise ValidationError(_l("Le nom est obligatoire."))
    org.name = name.strip()[:200]
    org.address = (address or "").strip() or None
    org.opening_hours = (opening_hours or "").strip() or None
    org.gln = checked_gln(session, gln, org.id)
    session.flush()
    return org


def set_org_active(session: Session, org: Organisation, active: bool, *, actor: User) -> None:
    """Disable (its users can no longer log in nor use tokens) or enable again."""
    if not active and org.id == actor.org_id:
        raise Forbidden(_l("Vous ne pouvez pas désactiver votre propre organisation."))
    org.active = active
    session.flush()


# ------------------------------------------------------------------ users


def list_users(session: Session, *, page: int, q: str = "", org_id: int | None = None,
               scope: Scope = Scope.WHOLE) -> Page:
    """Users by e-mail (of the scope's members), optionally of one organisation or
    matching a text."""
    stmt = select(User).join(Organisation, Organisation.id == User.org_id) \
        .where(scope.members()).order_by(User.email, User.id)
    if q:
        stmt = stmt.where(or_(User.email.ilike(_like(q)), User.name.ilike(_like(q))))
    if org_id is not None:
        stmt = stmt.where(User.org_id == org_id)
    return paginate(session, stmt, page)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_l("Aucun utilisateur n° %(id)s.", id=user_id))
    return user


def invite_user(session: Session, *, email: str, org: Organisation, name: str | None,
                admin: bool, actor: User) -> tuple[User, str]:
    """A new user with a temporary password (returned in clear, once)."""
    password = temporary_password()
    user = create_user(session, email=email, org=org, password=password,
                       name=(name or "").strip() or None, admin=admin)
    session.add(TemporaryPassword(user_id=user.id, issued_by_id=actor.id))
    session.flush()
    return user, password


def reset_password(session: Session, user: User, *, actor: User | None) -> str:
    """Replace a user's password by a temporary one (returned in clear, once) and end
    every login of the user. `actor`: the administrator (None: the command line)."""
    password = temporary_password()
    user.password_hash = hash_password(password)
    session.execute(delete(TemporaryPassword).where(TemporaryPassword.user_id == user.id))
    session.add(TemporaryPassword(user_id=user.id,
                                  issued_by_id=actor.id if actor is not None else None))
    end_user_logins(session, user.id)
    session.flush()
    return password


def set_user_active(session: Session, user: User, active: bool, *, actor: User) -> None:
    """Disable a user (sessions and tokens stop working at once) or enable again."""
    if not active and user.id == actor.id:
        raise Forbidden(_l("Vous ne pouvez pas désactiver votre propre compte."))
    user.active = active
    session.flush()


def must_change_password(session: Session, user_id: int) -> bool:
    """Whether the user still has a temporary password."""
    return session.get(TemporaryPassword, user_id) is not None


def check_password(user: User, password: str) -> bool:
    """Whether `password` is the user's current one."""
    return bool(user.password_hash) and check_password_hash(user.password_hash, password or "")


def change_password(session: Session, user: User, *, new: str, confirm: str) -> None:
    """Set the user's own password; ends the temporary one and every login of the
    user (the caller opens a new one for the device it was changed on)."""
    if new != confirm:
        raise ValidationError(_l("Les deux mots de passe ne sont pas identiques."))
    check_new_password(new, user.email, user.name or "", user.org.name, user.org.code)
    user.password_hash = hash_password(new)
    session.execute(delete(TemporaryPassword).where(TemporaryPassword.user_id == user.id))
    end_user_logins(session, user.id)
    session.flush()


# ------------------------------------------------------------------ API tokens


def list_tokens(session: Session, *, page: int, user_id: int | None = None,
                include_revoked: bool = True, scope: Scope = Scope.WHOLE) -> Page:
    """Tokens of the scope's members' users, most recently created first (prefix,
    label, last use; never the secret)."""
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if not scope.whole:
        stmt = stmt.where(ApiToken.user_id.in_(
            select(User.id).join(Organisation, Organisation.id == User.org_id)
            .where(scope.members())))
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return paginate(session, stmt, page)


def create_token(session: Session, user: User, label: str | None) -> tuple[ApiToken, str]:
    """A new token for `user`; the clear text is returned once."""
    label = (label or "").strip()[:200] or None
    if not user.is_active:
        raise ValidationError(_l("Ce compte est désactivé : pas de nouveau jeton."))
    return issue_token(session, user, label)


def revoke_token_as(session: Session, token_id: int, *, actor: User,
                    own_only: bool = False, scope: Scope = Scope.WHOLE) -> ApiToken:
    """Revoke a token: its owner may, and the coordination of its user's territory
    (`scope`; unless `own_only`)."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_l("Aucun jeton n° %(id)s.", id=token_id))
    if token.user_id != actor.id and (own_only or not access.may(actor, "oversee_network")
                                      or not scope.sees(token.user.org)):
        raise Forbidden(_l("Ce jeton appartient à quelqu'un d'autre."))
    revoke_token(session, token)
    return token


# ------------------------------------------------------------------ container types


def list_types(session: Session, *, page: int) -> Page:
    return paginate(session, select(ContainerType).order_by(ContainerType.code), page)


def _type_values(ctype: ContainerType) -> dict:
    return {field: getattr(ctype, field) for field in TYPE_FIELDS}


def _check_type_values(values: dict) -> None:
    if not (values.get("name") or "").strip():
        raise ValidationError(_l("Le nom est obligatoire."))
    if values.get("family") not in FAMILIES:
        raise ValidationError(_l("Famille inconnue : %(families)s.", families=", ".join(FAMILIES)))
    if not isinstance(values.get("mass_g"), int) or not 0 < values["mass_g"] <= MAX_MASS_G:
        raise ValidationError(_l("La masse (g) doit être un entier entre 1 et %(max)s.",
                                 max=MAX_MASS_G))
    volume = values.get("volume_ml")
    if volume is not None and not 0 < volume <= MAX_VOLUME_ML:
        raise ValidationError(_l("Le volume (ml) doit être entre 1 et %(max)s.", max=MAX_VOLUME_ML))
    deposit = values.get("deposit_cents")
    if not isinstance(deposit, int) or not 0 <= deposit <= MAX_DEPOSIT_CENTS:
        raise ValidationError(_l("La consigne doit être entre 0 et %(max)s €.",
                                 max=MAX_DEPOSIT_CENTS // 100))


def create_type(session: Session, *, code: str, values: dict, actor: User) -> ContainerType:
    """A new container type, with its first revision."""
    if not SLUG.match(code or ""):
        raise ValidationError(_l("Code « %(code)s » invalide : minuscules, chiffres et tirets.",
                                 code=code))
    values = {"active": True, **values}
    _check_type_values(values)
    if session.scalar(select(ContainerType.id).where(ContainerType.code == code)):
        raise Conflict(_l("Le type « %(code)s » existe déjà.", code=code))
    ctype = ContainerType(code=code, **{k: values[k] for k in TYPE_FIELDS})
    ctype.name = ctype.name.strip()
    session.add(ctype)
    session.flush()
    session.add(ContainerTypeRevision(type_id=ctype.id, changed_by_id=actor.id, action="create",
                                      old_values=None, new_values=_type_values(ctype)))
    session.flush()
    return ctype


def update_type(session: Session, ctype: ContainerType, *, values: dict,
                actor: User) -> ContainerTypeRevision | None:
    """Change a type and record who changed what from what to what.

    Closed batches keep the impact computed with the old mass; deposits already
    taken are refunded at the amount taken. So a change applies from now on.
    """
    merged = {**_type_values(ctype), **values}
    _check_type_values(merged)
    merged["name"] = merged["name"].strip()
    old = _type_values(ctype)
    changed = [field for field in TYPE_FIELDS if merged[field] != old[field]]
    if not changed:
        return None
    for field in changed:
        setattr(ctype, field, merged[field])
    revision = ContainerTypeRevision(
        type_id=ctype.id, changed_by_id=actor.id, action="update",
        old_values={f: old[f] for f in changed}, new_values={f: merged[f] for f in changed})
    session.add(revision)
    session.flush()
    return revision


def type_history(session: Session, type_id: int, *, page: int) -> Page:
    """A type's revisions, newest first, with who made them."""
    stmt = (select(ContainerTypeRevision, User.email)
            .outerjoin(User, User.id == ContainerTypeRevision.changed_by_id)
            .where(ContainerTypeRevision.type_id == type_id)
            .order_by(ContainerTypeRevision.changed_at.desc(), ContainerTypeRevision.id.desc()))
    return paginate(session, stmt, page, scalars=False)


# ------------------------------------------------------------------ territories' deposits


def territory_deposits(session: Session, ctype: ContainerType,
                       scope: Scope = Scope.WHOLE) -> list[tuple[Territory, int | None]]:
    """The scope's territories with their own deposit for the type (None: the type's)."""
    own = dict(session.execute(select(TerritoryDeposit.territory_id,
                                      TerritoryDeposit.deposit_cents)
                               .where(TerritoryDeposit.type_id == ctype.id)).all())
    territories = session.scalars(select(Territory).where(scope.rows(Territory.id))
                                  .order_by(Territory.name))
    return [(t, own.get(t.id)) for t in territories]


def own_deposits(session: Session, scope: Scope) -> dict[int, int]:
    """A territory's own deposits by type id (the national coordination: none)."""
    if scope.whole:
        return {}
    return dict(session.execute(select(TerritoryDeposit.type_id, TerritoryDeposit.deposit_cents)
                                .where(TerritoryDeposit.territory_id == scope.territory_id)).all())


def set_territory_deposit(session: Session, territory: Territory, ctype: ContainerType,
                          deposit_cents: int | None) -> None:
    """Set a territory's own deposit for a type; None: the type's deposit again.

    As a change of the type's, it applies from now on: deposits already taken are
    refunded at the amount taken."""
    row = session.get(TerritoryDeposit, (territory.id, ctype.id))
    if deposit_cents is None:
        if row is not None:
            session.delete(row)
        session.flush()
        return
    if not 0 <= deposit_cents <= MAX_DEPOSIT_CENTS:
        raise ValidationError(_l("La consigne doit être entre 0 et %(max)s €.",
                                 max=MAX_DEPOSIT_CENTS // 100))
    if row is None:
        session.add(TerritoryDeposit(territory_id=territory.id, type_id=ctype.id,
                                     deposit_cents=deposit_cents))
    else:
        row.deposit_cents = deposit_cents
    session.flush()
