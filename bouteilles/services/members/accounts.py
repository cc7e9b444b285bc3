"""Organisations, users and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ...models import ORG_KINDS, ApiToken, Organisation, User, utcnow
from ..errors import Conflict, NotFound, ValidationError
from ..items.gs1 import gs1_check_digit

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
    territory_id: int | None = None  # the organisation's: where its moves are recorded

    @classmethod
    def of(cls, user) -> Actor:
        """The actor of an ORM `User` (a session login or a page)."""
        return cls(user.id, user.org_id, user.org.kind, user.org.code, user.org.name,
                   user.org.territory_id)

    @classmethod
    def of_row(cls, row) -> Actor:
        """The actor of a row selecting `token_actor_columns`."""
        return cls(row.actor_user_id, row.actor_org_id, row.actor_kind, row.actor_code,
                   row.actor_name, row.actor_territory_id)


def checked_gln(session: Session, gln: str | None, org_id: int | None = None) -> str | None:
    """A GS1 Global Location Number (13 digits, its check digit right, no other member's),
    or None when empty."""
    gln = (gln or "").strip()
    if not gln:
        return None
    if len(gln) != 13 or not gln.isascii() or not gln.isdigit():
        raise ValidationError(_l("Un GLN a 13 chiffres : « %(gln)s ».", gln=gln))
    expected = gs1_check_digit(gln[:12])
    if gln[12] != expected:
        raise ValidationError(_l("GLN %(gln)s : la clé de contrôle devrait être %(digit)s.",
                                 gln=gln, digit=expected))
    other = session.scalar(select(Organisation.code).where(Organisation.gln == gln,
                                                           Organisation.id != (org_id or 0)))
    if other:
        raise Conflict(_l("Le GLN %(gln)s est déjà celui de « %(code)s ».", gln=gln, code=other))
    return gln


def create_org(session: Session, *, code: str, name: str, kind: str,
               address: str | None = None, opening_hours: str | None = None,
               gln: str | None = None, territory_id: int | None = None,
               latitude: float | None = None, longitude: float | None = None) -> Organisation:
    """A new member organisation (of a territory, where it has one)."""
    if not SLUG.match(code or ""):
        raise ValidationError(_l("Code « %(code)s » invalide : minuscules, chiffres et tirets.",
                                 code=code))
    if kind not in ORG_KINDS:
        raise ValidationError(_l("Type « %(kind)s » inconnu : %(kinds)s.", kind=kind,
                                 kinds=", ".join(ORG_KINDS)))
    if not (name or "").strip():
        raise ValidationError(_l("Le nom est obligatoire."))
    if session.scalar(select(Organisation.id).where(Organisation.code == code)):
        raise Conflict(_l("L'organisation « %(code)s » existe déjà.", code=code))
    org = Organisation(code=code, name=name.strip(), kind=kind, address=address,
                       opening_hours=opening_hours, gln=checked_gln(session, gln),
                       territory_id=territory_id, latitude=latitude, longitude=longitude)
    session.add(org)
    session.flush()
    return org


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
# Words any guesser of this network's passwords tries first, and French ones
# zxcvbn's English lists lack; a password built on them scores low.
GUESSABLE_WORDS = ("bouteilles", "bouteille", "jura", "consigne", "clavelin", "vin",
                   "motdepasse", "azerty", "soleil", "bonjour", "lons", "saunier",
                   "restaurant", "comptoir", "lavage")


def check_new_password(password: str, *context: str) -> None:
    """Refuse a password that is short or easy to guess (zxcvbn score below 3).

    `context`: the user's e-mail, name, organisation… which a guesser knows too.
    """
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(_l("Le mot de passe doit compter au moins %(n)s caractères.",
                                 n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(_l("Le mot de passe doit compter au plus %(n)s caractères.",
                                 n=MAX_PASSWORD_LENGTH))
    hints = [*GUESSABLE_WORDS, *(part for text in context if text
                                 for part in re.split(r"[^\w]+", text.lower()) if part)]
    if zxcvbn(password[:100], user_inputs=hints)["score"] < 3:
        raise ValidationError(_l("Ce mot de passe est trop courant ou trop facile à deviner : "
                                 "allongez-le, par exemple avec trois ou quatre mots sans "
                                 "rapport entre eux."))


def hash_password(password: str) -> str:
    """A slow salted hash (scrypt; the test settings may pick a faster method)."""
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def create_user(session: Session, *, email: str, org: Organisation, password: str | None,
                name: str | None = None, admin: bool = False) -> User:
    """A user of `org`; the role follows the organisation's kind."""
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise ValidationError(_l("Adresse e-mail invalide : %(email)s.", email=email))
    if admin and org.kind != "coordinator":
        raise ValidationError(_l("Seuls les membres de la coordination peuvent être "
                                 "administrateurs."))
    if password is not None:
        check_new_password(password, email, org.name)
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(_l("Un compte existe déjà pour %(email)s.", email=email))
    user = User(email=email, org_id=org.id, org=org, name=name, is_admin=admin,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    """A user by e-mail."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(_l("Aucun compte pour %(email)s.", email=email))
    return user


_STAND_IN_HASHES: dict[str, str] = {}


def _stand_in_hash() -> str:
    """A hash of a random password made with the configured method, checked when
    the e-mail has no account, so that an unknown e-mail costs the same work as a
    known one (no account enumeration by timing)."""
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    if method not in _STAND_IN_HASHES:
        _STAND_IN_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _STAND_IN_HASHES[method]


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, else None; one password hash is
    checked whether or not the account exists."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = check_password_hash(stored or _stand_in_hash(), (password or "")[:1000])
    if stored is None or not matches or not user.is_active:
        return None
    return user


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
    select(User.id, User.org_id, Organisation.kind, Organisation.code, Organisation.name,
           Organisation.territory_id)
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
            actor.c.name.label("actor_name"), actor.c.territory_id.label("actor_territory_id"))


def actor_for_token(session: Session, clear: str) -> Actor | None:
    """The actor behind a valid, unrevoked token of an active user, in one statement.

    The scan endpoint's way in: the same rule as `user_for_token` without loading
    ORM objects (a scan's whole budget is about a millisecond).
    """
    row = session.connection().execute(TOKEN_ACTOR, {"digest": token_digest(clear)}).first()
    return None if row is None else Actor(*row)
