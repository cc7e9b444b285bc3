"""The addresses a mail links to: absolute, under BASE_URL (a mail is written outside
any request), and the one-click unsubscribe token of a user and a kind."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .kinds import KINDS

UNSUBSCRIBE_SALT = "unsubscribe"


def mail_url(endpoint: str, **values) -> str:
    """The absolute URL of a page under BASE_URL (http://host/prefix/account/…)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed (user, kind) that turns that kind off for that user. It does not
    expire: a mail read months later still unsubscribes, and it can do nothing else."""
    return _serializer().dumps([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token names; None for a forged, altered or stale one."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or kind not in KINDS:
        return None
    return user_id, kind
