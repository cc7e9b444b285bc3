"""Who is asking: session logins (Flask-Login), API bearer tokens, CSRF, proxies."""

from __future__ import annotations

from functools import partial

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import tile_origin
from .db.database import get_session
from .models import User
from .services.errors import Unauthorized
from .services.members.accounts import Actor, user_for_token
from .services.members.logins import user_for_login
from .services.movements import TOKEN_REFUSED, scanner

login_manager = LoginManager()
csrf = CSRFProtect()


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The user of a live login (`services/members/logins.py`), else None.

    The last-seen time is written, and committed at once, only when the
    request's session has not begun yet: nothing else of the request can be in
    that commit.
    """
    session = get_session()
    fresh = not session.in_transaction()
    user, touched = user_for_login(session, token, touch=fresh)
    if touched:
        session.commit()
    return user


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without building its signer (a few tens of
    µs) for a request that sends no session cookie, nor reading the cookie's
    settings for an empty session that was not changed: every API scan."""

    def open_session(self, app, request):
        if app.secret_key and (
                "HTTP_COOKIE" not in request.environ  # (no parsing of cookies that are not there)
                or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not session and not session.modified:  # nothing to write: skip reading the
            if session.accessed:                   # cookie settings, as Flask would
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # client address and scheme from that many proxies' X-Forwarded-* only
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies)
    # The CSP as this app's settings make it, once (MAP_TILE_URL: config.py).
    tiles = tile_origin(app.config.get("MAP_TILE_URL") or "")
    app.after_request(partial(security_headers, hardening=hardening_for(tiles)))


def client_address() -> str | None:
    """The client's address (the proxy's X-Forwarded-For only with TRUSTED_PROXIES)."""
    return request.remote_addr


def api_actor() -> User:
    """The user behind an API request: a bearer token, else the session; or 401."""
    token = bearer_token()
    if token is not None:
        user = user_for_token(get_session(), token)
        if user is None:
            raise Unauthorized(TOKEN_REFUSED)
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    else:
        raise Unauthorized(_l("Authentification requise : jeton « Authorization: Bearer » "
                              "ou session ouverte."))
    return user


def bearer_token() -> str | None:
    """The request's `Authorization: Bearer` token, if it has one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def api_scanner() -> Actor:
    """Who records a scan: a bearer token read in one statement (the hot path), else
    the session's user; or 401."""
    token = bearer_token()
    if token is not None:
        return scanner(get_session(), token)
    return Actor.of(api_actor())


CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def hardening_for(tiles: str) -> tuple[tuple[str, str], ...]:
    """HARDENING with the map's tile server (MAP_TILE_URL's origin) allowed for images."""
    if not tiles:
        return HARDENING
    csp = CSP.replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {tiles}")
    return tuple((name, csp if name == "Content-Security-Policy" else value)
                 for name, value in HARDENING)


HARDENING = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), geolocation=()"),
)
_HSTS = (("Strict-Transport-Security", "max-age=31536000"),)


def security_headers(response, hardening: tuple[tuple[str, str], ...] = HARDENING):
    """The usual hardening headers on every answer (a view may set its own).

    Every answer but a static file is `Cache-Control: private, no-store` unless
    its view said otherwise: pages and JSON carry members' data, which neither a
    shared proxy nor the browser's disk may keep (the back button of a shared
    phone included). Static files, the service worker and the anonymous public
    page set their own caching.

    One pass over the response's few headers, rather than a lookup per header:
    this runs on every scan."""
    present = {name.lower() for name in response.headers.keys()}
    for name, value in (hardening + _HSTS) if request.is_secure else hardening:
        if name.lower() not in present:
            response.headers.add(name, value)
    if "cache-control" not in present and request.endpoint != "static":
        response.headers.add("Cache-Control", "private, no-store")
    return response
