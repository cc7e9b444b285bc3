"""Who is asking: session login (Flask-Login), API bearer tokens, CSRF, rate limits."""

from __future__ import annotations

from functools import partial

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from .database import get_session
from .models import User
from .services.accounts import Actor, user_for_token
from .services.errors import Forbidden, Unauthorized
from .services.submissions import TOKEN_REFUSED, scanner

login_manager = LoginManager()
csrf = CSRFProtect()
# No default limits: only views decorated with `@limiter.limit` are limited
# (the login form), and the decorator checks them itself (see init_app).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return user if user is not None and user.is_active else None


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without building its signer (a few tens of
    µs) for a request that sends no session cookie, nor reading the cookie's
    settings for an empty session that was not changed: every API scan (issue 7)."""

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
    limiter.init_app(app)
    _limit_decorated_views_only(app)
    app.after_request(security_headers)


def _limit_decorated_views_only(app: Flask) -> None:
    """Take Flask-Limiter's request hooks off the app.

    With no default or application-wide limits, the only limits are those of
    views decorated with `@limiter.limit`, and the decorator checks them when
    the view is called. The hooks (before, after, teardown) would only look up,
    for every other request, limits that do not exist: about 7 % of a scan's CPU
    under load (issue 7). Limits that are not a view's decorator would need them
    back, so such a configuration is refused here.
    """
    if limiter.limit_manager.default_limits or limiter.limit_manager.application_limits:
        raise RuntimeError("default or application rate limits need Flask-Limiter's hooks")

    def hooked_by_limiter(function) -> bool:
        return getattr(function, "__self__", None) is limiter or (
            isinstance(function, partial) and limiter in function.args)

    for hooks in (app.before_request_funcs, app.after_request_funcs,
                  app.teardown_request_funcs):
        hooks[None] = [f for f in hooks.get(None, []) if not hooked_by_limiter(f)]


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
        raise Unauthorized("Authentification requise : jeton « Authorization: Bearer » "
                           "ou session ouverte.")
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


def require_coordinator(user: User) -> None:
    """Refuse anyone but the cooperative's staff."""
    if user.org.kind != "coordinator":
        raise Forbidden("Réservé à la coordination du réseau.")


CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


HARDENING = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), geolocation=()"),
)
_HSTS = (("Strict-Transport-Security", "max-age=31536000"),)


def security_headers(response):
    """The usual hardening headers on every answer (a view may set its own).

    One pass over the response's few headers, rather than a lookup per header:
    this runs on every scan (issue 7)."""
    present = {name.lower() for name in response.headers.keys()}
    for name, value in (HARDENING + _HSTS) if request.is_secure else HARDENING:
        if name.lower() not in present:
            response.headers.add(name, value)
    return response
