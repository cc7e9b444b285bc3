"""Configuration read from the environment (and an optional .env file)."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, else one generated once and kept on disk."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():  # the owner's only, from the first byte
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _number(name: str, default: str) -> float:
    """A numeric setting from the environment; a clear error when it does not parse."""
    raw = os.environ.get(name, default)
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r}: a number is expected") from None


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    """A setting among `allowed`; a clear error for anything else."""
    raw = os.environ.get(name, default)
    if raw not in allowed:
        raise SystemExit(f"{name}={raw!r}: one of {', '.join(allowed)} is expected")
    return raw


# The public map's tiles: OpenStreetMap's standard tile server, with the credit its
# tile usage policy asks for (https://operations.osmfoundation.org/policies/tiles/).
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                            "OpenStreetMap</a> contributors")


def tile_origin(url: str) -> str:
    """The origin a tile URL template loads images from, as a CSP source
    (`https://tile.openstreetmap.org`; a `{s}` subdomain: `https://*.tile.example`);
    "" for no URL. A ValueError for a template whose server is not a plain
    http(s) host."""
    if not url:
        return ""
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if host.startswith("{s}."):  # Leaflet's subdomains: a CSP wildcard label
        host = "*." + host[4:]
    if (scheme not in ("http", "https") or not sep or not host
            or any(char in host for char in "{}@ ;,'\"")):
        raise ValueError(url)
    return f"{scheme}://{host}"


def _tile_url() -> str:
    """MAP_TILE_URL (empty: no map, the list of return points only); a clear error
    for a URL whose server the Content-Security-Policy could not name."""
    url = os.environ.get("MAP_TILE_URL", DEFAULT_TILE_URL).strip()
    try:
        tile_origin(url)
    except ValueError:
        raise SystemExit(f"MAP_TILE_URL={url!r}: an http(s) URL template such as "
                         f"{DEFAULT_TILE_URL} is expected") from None
    return url


DEFAULT_BIND = "127.0.0.1:5000"  # gunicorn.conf.py's, when GUNICORN_BIND is unset


def url_of_bind(bind: str) -> str:
    """The http:// address of a gunicorn bind (`host:port`, `[v6]:port`, `unix:…`).

    A wildcard host (0.0.0.0, [::]) gives this machine's name; a Unix socket,
    which only a proxy in front reaches, gives http://localhost."""
    if bind.startswith(("unix:", "fd://")):
        return "http://localhost"
    if bind.startswith("["):
        host, _, port = bind.partition("]")
        host, port = host + "]", port.removeprefix(":")
    else:
        host, _, port = bind.rpartition(":") if ":" in bind else (bind, "", "")
    if host in ("", "0.0.0.0", "[::]"):
        host = socket.gethostname()
    return f"http://{host}:{port or '8000'}"  # no port: gunicorn's default


def _base_url() -> str:
    """BASE_URL, else the address gunicorn binds (GUNICORN_BIND; gunicorn.conf.py
    sets it to the address it really listens on, for its workers)."""
    explicit = os.environ.get("BASE_URL")
    if explicit:
        return explicit.rstrip("/")
    return url_of_bind(os.environ.get("GUNICORN_BIND") or DEFAULT_BIND)


def load_config(instance_path: Path) -> dict:
    """Build the app configuration from the environment."""
    instance_path.mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite:///{instance_path / 'bouteilles.sqlite3'}"
    remember_days = min(_number("REMEMBER_DAYS", "30"), 30)
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "SECRET_KEY": _secret_key(instance_path),
        "BASE_URL": _base_url(),
        "GS1_COMPANY_PREFIX": os.environ.get("GS1_COMPANY_PREFIX") or None,
        # What names the network in its Reuse Standard UUIDs (default: BASE_URL); set it
        # before BASE_URL ever changes, to the old BASE_URL, and the UUIDs stay.
        "REUSE_NAMESPACE": os.environ.get("REUSE_NAMESPACE") or None,
        "OVERDUE_DAYS": int(os.environ.get("OVERDUE_DAYS", "14")),
        # A box still with a customer this many days after its lend is declared lost
        # (`flask notify`), its deposit forfeited; brought back later, reinstated.
        "LOST_DAYS": int(_number("LOST_DAYS", "60")),
        # How long the organisation that recorded a scan may undo it itself; an
        # admin coordinator may revert an item's latest event at any time.
        "UNDO_MINUTES": _number("UNDO_MINUTES", "15"),
        # A washing batch's counted input above this is refused as a typing slip.
        "MAX_BATCH_INPUT": int(_number("MAX_BATCH_INPUT", "100000")),
        # A box a customer brought back broken: whether the restaurant keeps the
        # deposit ("kept": it is forfeited) or refunds it ("refunded").
        "BROKEN_BOX_DEPOSIT": _choice("BROKEN_BOX_DEPOSIT", ("kept", "refunded"), "kept"),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("BASE_URL", "").startswith("https://"),
        # Logins (services/members/logins.py): a plain one ends after this many idle
        # hours; "Rester connecté" keeps one for REMEMBER_DAYS (30 at most).
        "LOGIN_IDLE_HOURS": _number("LOGIN_IDLE_HOURS", "12"),
        "REMEMBER_DAYS": remember_days,
        "REMEMBER_COOKIE_DURATION": timedelta(days=remember_days),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("BASE_URL", "").startswith("https://"),
        # A form's CSRF token lasts a working day; an older one gets a page that
        # sends the same form again with a new token (routes/errors.py).
        "WTF_CSRF_TIME_LIMIT": int(_number("CSRF_HOURS", "10") * 3600),
        "PASSWORD_HASH_METHOD": "scrypt",
        "LOGIN_LIMITS": True,  # failed-login limits (services/members/login_limits.py)
        # Proxies in front of the app whose X-Forwarded-* headers are believed
        # (Werkzeug's ProxyFix); 0: the client address is the connection's.
        "TRUSTED_PROXIES": int(_number("TRUSTED_PROXIES", "0")),
        # Places and loop distances (services/geography/). GEOCODER_URL: the address
        # search of the Base Adresse Nationale, https://api-adresse.data.gouv.fr/search/
        # (empty: no lookup, coordinates typed or set on the map). ROUTING_URL: an
        # OSRM-compatible server (empty: great-circle distance × DETOUR_FACTOR).
        "GEOCODER_URL": os.environ.get("GEOCODER_URL", "").strip(),
        "ROUTING_URL": os.environ.get("ROUTING_URL", "").strip(),
        "DETOUR_FACTOR": _number("DETOUR_FACTOR", "1.3"),
        # A loop past these is flagged: the network's own limit, and the distance
        # past which reusing glass stops paying (docs/decisions.md, "Loop distances").
        "LOOP_LIMIT_KM": _number("LOOP_LIMIT_KM", "300"),
        "REUSE_BREAK_EVEN_KM": _number("REUSE_BREAK_EVEN_KM", "600"),
        # The map of the public "Où rapporter ?" page: a Leaflet tile URL template
        # (empty: no map, the list only) and the credit shown on the map (HTML).
        # The Content-Security-Policy allows the tile server's images (auth.py).
        "MAP_TILE_URL": _tile_url(),
        "MAP_TILE_ATTRIBUTION": os.environ.get("MAP_TILE_ATTRIBUTION",
                                               DEFAULT_TILE_ATTRIBUTION),
        # The notifications' mail (`flask notify`, services/notifications/), by SMTP
        # through Flask-Mailman. No MAIL_SERVER: nothing is sent and `flask notify` says so.
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip(),
        "MAIL_PORT": int(_number("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _choice("MAIL_USE_TLS", ("0", "1", "false", "true"), "0") in ("1", "true"),
        "MAIL_USE_SSL": _choice("MAIL_USE_SSL", ("0", "1", "false", "true"), "0") in ("1", "true"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "").strip(),
        "MAIL_TIMEOUT": _number("MAIL_TIMEOUT", "10"),
    }
