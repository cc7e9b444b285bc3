"""Nobody where they do not belong: tokens, cookies, CSRF, headers."""

from __future__ import annotations

import os
import re

import pytest

from bouteilles import create_app
from bouteilles.db.database import get_session
from bouteilles.services.members.accounts import hash_password, revoke_token
from bouteilles.services.members.logins import open_login

FORM_ROUTES_EXEMPT = ("/api/",)  # the JSON API takes no form (see docs/decisions.md)
# A mail client's one-click unsubscribe (RFC 8058) posts no token of ours: the signed
# link is its proof (tests/notifications/test_pages.py).
ONE_CLICK = "/unsubscribe/<token>"


def log_in(client, user) -> str:
    """Put a live login of `user` in the client's session cookie; its token."""
    session = get_session()
    token = open_login(session, user, remember=False, user_agent="test", ip=None)
    session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    return token


# ---------------------------------------------------------------- passwords, tokens


def test_passwords_use_a_slow_salted_hash(db_url):
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "x"})  # production settings
    with app.app_context():
        assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
        first, second = hash_password("marnes-tilleul-1774"), hash_password("marnes-tilleul-1774")
    assert first.startswith("scrypt:") and first != second
    app.extensions["db_engine"].dispose()


def test_revoked_token_is_refused_at_once(client, session, actors, token_for):
    user = actors["restaurant"]
    headers = token_for(user)
    assert client.get("/api/v1/stock", headers=headers).status_code == 200
    from bouteilles.models import ApiToken

    revoke_token(session, session.query(ApiToken).filter_by(user_id=user.id).one())
    session.commit()
    refused = client.get("/api/v1/stock", headers=headers)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"


def test_tokens_of_disabled_users_and_organisations_stop_working(client, session, actors,
                                                                 token_for):
    person, team = actors["restaurant"], actors["collector"]
    person_headers, team_headers = token_for(person), token_for(team)
    person.active = False
    team.org.active = False
    session.commit()
    assert client.get("/api/v1/stock", headers=person_headers).status_code == 401
    assert client.get("/api/v1/stock", headers=team_headers).status_code == 401


def test_a_made_up_token_is_refused(client):
    response = client.get("/api/v1/stock", headers={"Authorization": "Bearer btl_forged"})
    assert response.status_code == 401


# ---------------------------------------------------------------- cookies


def _cookie_headers(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_session_cookies_are_httponly_samesite_and_secure_behind_https(
        make_app, actors, monkeypatch):
    user = actors["restaurant"]
    get_session().commit()
    monkeypatch.setenv("BASE_URL", "https://bouteilles.example")
    app = make_app(BASE_URL="https://bouteilles.example")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    response = client.post("/login", base_url="https://bouteilles.example",
                           data={"email": user.email, "password": "marnes-tilleul-1774",
                                 "remember": "1"})
    assert response.status_code == 302
    cookies = _cookie_headers(response)
    for name in ("session", "remember_token"):
        flags = cookies[name].lower()
        assert "httponly" in flags, name
        assert "samesite=lax" in flags, name
        assert "secure" in flags, name


def test_cookies_are_not_secure_on_plain_http_for_local_use(make_app, actors, monkeypatch):
    user = actors["restaurant"]
    get_session().commit()
    monkeypatch.setenv("BASE_URL", "http://127.0.0.1:5000")
    client = make_app().test_client()
    response = client.post("/login", data={"email": user.email, "password": "marnes-tilleul-1774"})
    session_cookie = _cookie_headers(response)["session"].lower()
    assert "httponly" in session_cookie and "samesite=lax" in session_cookie
    assert "secure" not in session_cookie


# ---------------------------------------------------------------- CSRF


def _form_routes(app) -> list[tuple[str, str]]:
    """Every POST route of the app that takes a form (the JSON API aside)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if ("POST" in rule.methods and not rule.rule.startswith(FORM_ROUTES_EXEMPT)
                and rule.rule != ONE_CLICK):
            path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
            path = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "x", path)
            routes.append((rule.rule, path))
    return sorted(routes)


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "restaurant", "washing_site",
                                  "winegrower", "collector", "event_organiser"])
def test_every_form_refuses_a_post_without_csrf_token(make_app, actors, role):
    user = None if role == "anonymous" else actors[role]
    get_session().commit()
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    if user is not None:
        log_in(client, user)
    routes = _form_routes(app)
    assert len(routes) >= 20
    for rule, path in routes:
        response = client.post(path, data={"name": "x", "active": "1"},
                               headers={"Accept": "text/html"})
        assert response.status_code == 400, f"{rule} as {role}: {response.status_code}"
        assert "Le formulaire a expiré" in response.text, rule


def test_a_form_with_its_token_goes_through(make_app, actors):
    user = actors["coordinator"]
    get_session().commit()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": "marnes-tilleul-1774",
                                           "csrf_token": token})
    assert response.status_code == 302
    form = client.get("/admin/orgs/new").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    created = client.post("/admin/orgs/new", data={"code": "resto-csrf", "name": "Csrf",
                                                   "kind": "restaurant", "csrf_token": token})
    assert created.status_code == 302
    forged = client.post("/admin/orgs/new", data={"code": "resto-forged", "name": "F",
                                                  "kind": "restaurant", "csrf_token": "forged"})
    assert forged.status_code == 400


def test_the_api_cannot_be_driven_by_a_cross_site_form(make_app, actors, make_container):
    """The API is CSRF-exempt because it reads only JSON, which a form cannot send."""
    user = actors["restaurant"]
    code = make_container(holder=user.org)
    get_session().commit()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    log_in(client, user)
    form = client.post("/api/v1/scans", data={"code": code, "action": "lend",
                                              "idempotency_key": "k1"})
    assert form.status_code == 422
    as_json = client.post("/api/v1/scans", json={"code": code, "action": "lend",
                                                 "idempotency_key": "k1"})
    assert as_json.status_code == 201


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize("path", ["/login", "/", "/api/v1/health", "/nowhere",
                                  "/api/v1/stock", "/admin/orgs"])
def test_security_headers_on_every_kind_of_answer(client, path):
    response = client.get(path)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'self'",
                      "form-action 'self'", "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain http: no HSTS


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://bouteilles.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_generated_secret_key_is_its_owners_only(tmp_path, monkeypatch):
    from bouteilles.config import load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    old = os.umask(0)
    try:
        config = load_config(tmp_path / "instance")
    finally:
        os.umask(old)
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert config["SECRET_KEY"] == key_file.read_text().strip()
    assert load_config(tmp_path / "instance")["SECRET_KEY"] == config["SECRET_KEY"]
