"""Organisations, users and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ORG_KINDS, ApiToken, Organisation, User, utcnow
from .errors import Conflict, NotFound, ValidationError

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "btl_"


@dataclass(frozen=True)
class Actor:
    """Who scans: the user and their organisation, as plain values."""

    user_id: int
    org_id: int
    kind: str
    org_code: str
    org_name: str

    @classmethod
    def of(cls, user) -> Actor:
        """The actor of an ORM `User` (a session login or a page)."""
        return cls(user.id, user.org_id, user.org.kind, user.org.code, user.org.name)

    @classmethod
    def of_row(cls, row) -> Actor:
        """The actor of a row selecting `token_actor_columns`."""
        return cls(row.actor_user_id, row.actor_org_id, row.actor_kind, row.actor_code,
                   row.actor_name)


def create_org(session: Session, *, code: str, name: str, kind: str,
               address: str | None = None, opening_hours: str | None = None) -> Organisation:
    """A new member organisation."""
    if not SLUG.match(code or ""):
        raise ValidationError("Code « {code} » invalide : minuscules, chiffres et tirets.",
                              code=code)
    if kind not in ORG_KINDS:
        raise ValidationError("Type « {kind} » inconnu : {kinds}.", kind=kind,
                              kinds=", ".join(ORG_KINDS))
    if not (name or "").strip():
        raise ValidationError("Le nom est obligatoire.")
    if session.scalar(select(Organisation.id).where(Organisation.code == code)):
        raise Conflict("L'organisation « {code} » existe déjà.", code=code)
    org = Organisation(code=code, name=name.strip(), kind=kind, address=address,
                       opening_hours=opening_hours)
    session.add(org)
    session.flush()
    return org


def hash_password(password: str) -> str:
    """A slow salted hash (scrypt; the test settings may pick a faster method)."""
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def create_user(session: Session, *, email: str, org: Organisation, password: str | None,
                name: str | None = None, admin: bool = False) -> User:
    """A user of `org`; the role follows the organisation's kind."""
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise ValidationError("Adresse e-mail invalide : {email}.", email=email)
    if admin and org.kind != "coordinator":
        raise ValidationError("Seuls les membres de la coordination peuvent être administrateurs.")
    if password is not None and len(password) < 8:
        raise ValidationError("Le mot de passe doit compter au moins 8 caractères.")
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("Un compte existe déjà pour {email}.", email=email)
    user = User(email=email, org_id=org.id, org=org, name=name, is_admin=admin,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    """A user by e-mail."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound("Aucun compte pour {email}.", email=email)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, else None."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.password_hash or not user.is_active:
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def token_digest(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, label: str | None = None) -> tuple[ApiToken, str]:
    """A new API token; the clear text is returned once and never stored."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=token_digest(clear), prefix=clear[:10],
                     label=label)
    session.add(token)
    session.flush()
    return token, clear


def user_for_token(session: Session, clear: str) -> User | None:
    """The active user owning a valid, unrevoked token."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(clear)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token.user


def revoke_token(session: Session, token: ApiToken) -> None:
    """Revoke a token for good."""
    token.revoked_at = token.revoked_at or utcnow()
    session.flush()


TOKEN_ACTOR = (
    select(User.id, User.org_id, Organisation.kind, Organisation.code, Organisation.name)
    .select_from(ApiToken).join(User, User.id == ApiToken.user_id)
    .join(Organisation, Organisation.id == User.org_id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
           User.active.is_(True), Organisation.active.is_(True))
)


def token_actor_columns(actor) -> tuple:
    """The columns of `TOKEN_ACTOR` (made a CTE, `actor`) as `Actor.of_row` reads
    them, for a hot-path statement that checks the token along with its work."""
    return (actor.c.id.label("actor_user_id"), actor.c.org_id.label("actor_org_id"),
            actor.c.kind.label("actor_kind"), actor.c.code.label("actor_code"),
            actor.c.name.label("actor_name"))


def actor_for_token(session: Session, clear: str) -> Actor | None:
    """The actor behind a valid, unrevoked token of an active user, in one statement.

    The scan endpoint's way in: the same rule as `user_for_token` without loading
    ORM objects (issue 7: a scan's whole budget is about a millisecond).
    """
    row = session.connection().execute(TOKEN_ACTOR, {"digest": token_digest(clear)}).first()
    return None if row is None else Actor(*row)
