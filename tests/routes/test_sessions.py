"""Logins the server can end: logout, password change and reset, the account page,
"Rester connecté", failed-login limits, and the password rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bouteilles.db.database import get_session
from bouteilles.models import LoginFailure, LoginSession, utcnow
from bouteilles.services.errors import ValidationError
from bouteilles.services.members import accounts
from bouteilles.services.members.accounts import check_new_password

PASSWORD = "marnes-tilleul-1774"
NEW_PASSWORD = "glacier-ocre-lanterne-42"


def log_in(client, user, password=PASSWORD, **form):
    response = client.post("/login", data={"email": user.email, "password": password, **form})
    assert response.status_code == 302, response.text
    return response


def cookies_of(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value
            for name in ("session", "remember_token") if client.get_cookie(name)}


def client_with(app, cookies: dict[str, str]):
    """Another browser holding copies of these cookies (a stolen or kept cookie)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def logged_in(client) -> bool:
    return client.get("/account/tokens").status_code == 200


# ---------------------------------------------------------------- ending logins


def test_logout_ends_the_session_cookie_everywhere(app, client, session, actors):
    log_in(client, actors["restaurant"])
    copied = cookies_of(client)
    assert logged_in(client_with(app, copied))
    client.post("/logout")
    assert not logged_in(client)
    assert not logged_in(client_with(app, copied))  # the old cookie opens nothing


def test_logout_ends_the_remember_cookie(app, client, session, actors):
    log_in(client, actors["restaurant"], remember="1")
    remember = {"remember_token": client.get_cookie("remember_token").value}
    assert logged_in(client_with(app, remember))  # the remember cookie alone logs in
    client.post("/logout")
    assert not logged_in(client_with(app, remember))


def test_a_password_change_ends_every_other_login(app, client, session, actors):
    user = actors["restaurant"]
    log_in(client, user, remember="1")
    phone = app.test_client()
    log_in(phone, user, remember="1")
    stolen = cookies_of(client)
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert logged_in(client)  # the device it was changed on stays in, on a new login
    assert not logged_in(phone)
    assert not logged_in(client_with(app, stolen))
    assert not logged_in(client_with(app, {"remember_token": stolen["remember_token"]}))


def test_an_admin_reset_ends_every_login_of_the_user(app, client, session, actors):
    user = actors["restaurant"]
    log_in(client, user, remember="1")
    admin = app.test_client()
    log_in(admin, actors["coordinator"])
    assert admin.post(f"/admin/users/{user.id}/reset").status_code == 200
    assert client.get("/account/tokens").status_code == 302
    assert not logged_in(client_with(app, {"remember_token":
                                           client.get_cookie("remember_token").value}))


def test_the_password_form_asks_the_current_password_every_time(app, client, session,
                                                                 actors):
    """With a stolen session alone, nobody can set a new password."""
    user = actors["restaurant"]
    log_in(client, user)
    page = client.get("/account/password").text
    assert 'name="current"' in page
    without = client.post("/account/password", data={"new": NEW_PASSWORD,
                                                     "confirm": NEW_PASSWORD})
    assert without.status_code == 422
    assert 'id="current-error"' in without.text
    wrong = client.post("/account/password", data={"current": "not-it", "new": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert wrong.status_code == 422
    client.post("/logout")
    log_in(client, user)  # the old password still works: nothing was changed


def test_a_temporary_password_is_asked_too(app, client, session, actors):
    user = actors["restaurant"]
    admin = app.test_client()
    log_in(admin, actors["coordinator"])
    page = admin.post(f"/admin/users/{user.id}/reset").text
    temporary = re.search(r'id="secret" class="secret" readonly value="([^"]+)"', page).group(1)
    log_in(client, user, password=temporary)
    refused = client.post("/account/password", data={"new": NEW_PASSWORD,
                                                     "confirm": NEW_PASSWORD})
    assert refused.status_code == 422
    done = client.post("/account/password", data={"current": temporary, "new": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert done.status_code == 302


def test_a_temporary_password_opens_only_the_password_page(app, client, session, actors,
                                                           make_container):
    user = actors["restaurant"]
    code = make_container(holder=user.org)
    admin = app.test_client()
    log_in(admin, actors["coordinator"])
    page = admin.post(f"/admin/users/{user.id}/reset").text
    temporary = re.search(r'id="secret" class="secret" readonly value="([^"]+)"', page).group(1)
    log_in(client, user, password=temporary)
    assert client.get("/restaurant/").headers["Location"].endswith("/account/password")
    assert client.get("/account/").status_code == 302
    for response in (client.get("/api/v1/stock"), client.get(f"/api/v1/items/{code}"),
                     client.post("/api/v1/scans", json={"code": code, "action": "lend",
                                                        "idempotency_key": "t-1"})):
        assert response.status_code == 403, response.text
        assert response.get_json()["error"]["code"] == "forbidden"
    client.post("/account/password", data={"current": temporary, "new": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD})
    assert client.get("/api/v1/stock").status_code == 200


def test_a_plain_login_ends_after_its_idle_time(app, client, session, actors):
    log_in(client, actors["restaurant"])
    session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert not logged_in(client)


# ---------------------------------------------------------------- "Rester connecté"


def test_stay_logged_in_is_unchecked_and_lasts_at_most_30_days(make_app, monkeypatch, db_url,
                                                               actors):
    restaurant, collector = actors["restaurant"], actors["collector"]
    get_session().commit()
    monkeypatch.setenv("REMEMBER_DAYS", "365")
    app = make_app()
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    client = app.test_client()
    box = re.search(r'<input [^>]*name="remember"[^>]*type="checkbox"[^>]*>',
                    client.get("/login").text)
    assert box and "checked" not in box.group(0)
    log_in(client, restaurant, remember="1")
    with app.app_context():
        login = get_session().scalars(select(LoginSession)).one()
        assert login.remember
        assert login.expires_at - login.created_at == timedelta(days=30)
    log_in(client, collector)
    assert client.get_cookie("remember_token") is None or not client.get_cookie(
        "remember_token").value


# ---------------------------------------------------------------- the account page


def test_the_account_page_lists_logins_and_ends_one(app, client, session, actors):
    user = actors["restaurant"]
    phone = app.test_client()
    phone.post("/login", data={"email": user.email, "password": PASSWORD},
               headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile"})
    client.post("/login", data={"email": user.email, "password": PASSWORD},
                headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0"})
    page = client.get("/account/").text
    assert "Chrome · Android" in page and "Firefox · Windows" in page
    assert "cet appareil" in page and "dernière activité" in page
    phone_login = session.scalars(select(LoginSession).where(
        LoginSession.user_agent.like("%Android%"))).one()
    assert client.post(f"/account/sessions/{phone_login.id}/end").status_code == 302
    assert not logged_in(phone)
    assert logged_in(client)
    assert "Android" not in client.get("/account/").text


def test_nobody_ends_another_users_login(app, client, session, actors):
    victim = app.test_client()
    log_in(victim, actors["collector"])
    login = session.scalars(select(LoginSession)).one()
    log_in(client, actors["restaurant"])
    assert client.post(f"/account/sessions/{login.id}/end").status_code == 404
    assert logged_in(victim)


def test_end_every_other_login(app, client, session, actors):
    user = actors["restaurant"]
    others = [app.test_client() for _ in range(2)]
    for other in others:
        log_in(other, user)
    log_in(client, user)
    assert client.post("/account/sessions/end-others").status_code == 302
    assert logged_in(client) and not any(logged_in(other) for other in others)


# ---------------------------------------------------------------- failed-login limits


def test_ten_failures_lock_an_account_across_workers(make_app, actors):
    """Counted in the database: a second worker (another app) sees the first's."""
    user = actors["restaurant"]
    get_session().commit()
    first, second = make_app(LOGIN_LIMITS=True), make_app(LOGIN_LIMITS=True)
    wrong = {"email": user.email, "password": "not-the-password"}
    statuses = [(first if n % 2 else second).test_client().post("/login", data=wrong).status_code
                for n in range(10)]
    assert statuses == [401] * 10
    refused = second.test_client().post("/login", data={"email": user.email,
                                                        "password": PASSWORD})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Trop de tentatives" in refused.text
    other = actors["collector"]
    get_session().commit()
    assert first.test_client().post("/login", data={"email": other.email,
                                                    "password": PASSWORD}).status_code == 302


def test_the_lock_ends_when_the_failures_leave_the_window(make_app, actors):
    user = actors["restaurant"]
    session = get_session()
    session.commit()
    app = make_app(LOGIN_LIMITS=True)
    for _ in range(10):
        app.test_client().post("/login", data={"email": user.email, "password": "nope"})
    session.execute(update(LoginFailure).values(failed_at=utcnow() - timedelta(minutes=16)))
    session.commit()
    assert app.test_client().post("/login", data={"email": user.email,
                                                  "password": PASSWORD}).status_code == 302


def test_fifty_failures_from_one_address_lock_it(make_app, actors):
    get_session().commit()
    app = make_app(LOGIN_LIMITS=True)
    client = app.test_client()
    for n in range(50):
        assert client.post("/login", data={"email": f"nobody{n}@x.test",
                                           "password": "nope"}).status_code == 401
    user = actors["restaurant"]
    get_session().commit()
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 429


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(make_app, actors):
    """Without TRUSTED_PROXIES a forged X-Forwarded-For does not dodge the address
    limit; with it, each client behind the proxy has its own count."""
    get_session().commit()

    attempts = iter(range(1000))

    def failures(app, forwarded_for) -> int:
        client = app.test_client()
        email = f"nobody{next(attempts)}@x.test"  # one account each: the address counts
        return client.post("/login", data={"email": email, "password": "nope"},
                           headers={"X-Forwarded-For": forwarded_for}).status_code

    direct = make_app(LOGIN_LIMITS=True)
    statuses = [failures(direct, f"10.0.0.{n}") for n in range(51)]
    assert statuses[-1] == 429
    get_session().execute(LoginFailure.__table__.delete())
    get_session().commit()
    proxied = make_app(LOGIN_LIMITS=True, TRUSTED_PROXIES=1)
    assert [failures(proxied, "203.0.113.7") for _ in range(50)][-1] == 401
    assert failures(proxied, "203.0.113.7") == 429
    assert failures(proxied, "203.0.113.8") == 401


def test_the_current_password_check_is_limited(make_app, actors):
    user = actors["restaurant"]
    get_session().commit()
    client = make_app(LOGIN_LIMITS=True).test_client()
    log_in(client, user)
    wrong = {"current": "nope", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert [client.post("/account/password", data=wrong).status_code
            for _ in range(5)] == [422] * 5
    right = dict(wrong, current=PASSWORD)
    limited = client.post("/account/password", data=right)
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_unknown_and_known_emails_cost_one_password_hash_each(app, session, actors,
                                                              monkeypatch):
    """The same work either way: no telling by the time whether an account exists."""
    user = actors["restaurant"]
    session.commit()
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda stored, password: checked.append(stored) or real(stored,
                                                                               password))
    assert accounts.authenticate(session, "nobody@nowhere.test", "x") is None
    assert accounts.authenticate(session, user.email, "x") is None
    assert accounts.authenticate(session, user.email, PASSWORD) is not None
    assert len(checked) == 3
    methods = {stored.split("$", 1)[0] for stored in checked}
    assert methods == {app.config["PASSWORD_HASH_METHOD"]}


# ---------------------------------------------------------------- password rules


@pytest.mark.parametrize("password", ["court-1", "motdepasse123", "azertyuiop12",
                                      "password1234", "bouteilles2026", "aaaaaaaaaaaa"])
def test_short_and_common_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        check_new_password(password, "chef@resto.test")


def test_a_long_uncommon_password_is_taken():
    check_new_password("glacier-ocre-lanterne-42", "chef@resto.test")


def test_the_password_page_refuses_a_weak_password(client, session, actors):
    log_in(client, actors["restaurant"])
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "jura12345678", "confirm": "jura12345678"})
    assert response.status_code == 422
    assert "trop courant" in response.text


def test_cli_sets_a_password_and_ends_the_logins(app, client, runner, session, actors):
    user = actors["restaurant"]
    log_in(client, user)
    weak = runner.invoke(args=["users", "password", user.email, "--password", "short"])
    assert weak.exit_code != 0
    result = runner.invoke(args=["users", "password", user.email, "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert not logged_in(client)
    log_in(client, user, password=NEW_PASSWORD)
    temporary = runner.invoke(args=["users", "password", user.email, "--temporary"])
    assert temporary.exit_code == 0
    assert not logged_in(client)
    log_in(client, user, password=temporary.output.strip())
    assert client.get("/restaurant/").headers["Location"].endswith("/account/password")


# ---------------------------------------------------------------- redirects


@pytest.mark.parametrize("referer", ["http://evil.example/x", "//evil.example/x",
                                     "http://bouteilles.test//evil.example/x",
                                     "http://localhost//evil.example/x",
                                     "http://localhost/\\evil.example"])
def test_the_language_switch_never_leaves_the_site(client, referer):
    response = client.get("/lang/en", headers={"Referer": referer})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


def test_the_language_switch_goes_back_to_the_same_page(client):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/q/ABC"})
    assert response.headers["Location"] == "/q/ABC"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, session, actors, target):
    user = actors["restaurant"]
    session.commit()
    response = client.post(f"/login?next={target}", data={"email": user.email,
                                                          "password": PASSWORD})
    assert response.headers["Location"] == "/"


# ---------------------------------------------------------------- CSRF tokens that expire


@pytest.fixture
def later(monkeypatch):
    """later(hours): CSRF tokens are checked as if that many hours had passed."""
    from itsdangerous import TimestampSigner

    def move(hours: float) -> None:
        real = TimestampSigner.get_timestamp
        monkeypatch.setattr(TimestampSigner, "get_timestamp",
                            lambda self: real(self) + int(hours * 3600))

    return move


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_an_expired_form_is_offered_again_as_typed(make_app, actors, later):
    admin = actors["coordinator"]
    get_session().commit()
    app = make_app(WTF_CSRF_ENABLED=True)
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 10 * 3600
    client = app.test_client()
    token = _token(client.get("/login").text)
    client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                "csrf_token": token})
    token = _token(client.get("/admin/orgs/new").text)
    later(11)
    typed = {"code": "resto-tard", "name": "Le Tardif", "kind": "restaurant",
             "csrf_token": token}
    expired = client.post("/admin/orgs/new", data=typed,
                          headers={"Referer": "http://localhost/admin/orgs/new"})
    assert expired.status_code == 400
    assert "Le formulaire a expiré" in expired.text
    assert 'name="code" value="resto-tard"' in expired.text
    fresh = _token(expired.text)
    assert fresh != token
    again = client.post("/admin/orgs/new", data=dict(typed, csrf_token=fresh),
                        headers={"Referer": "http://localhost/admin/orgs/new"})
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/admin/orgs/resto-tard")


def test_a_cross_site_post_gets_no_resend_form(make_app, actors, later):
    admin = actors["coordinator"]
    get_session().commit()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                "csrf_token": _token(client.get("/login").text)})
    forged = client.post("/admin/orgs/new", data={"code": "resto-x", "name": "X",
                                                  "kind": "restaurant"},
                         headers={"Origin": "http://evil.example"})
    assert forged.status_code == 400
    assert 'name="code"' not in forged.text and "Envoyer à nouveau" not in forged.text


def test_an_expired_login_form_never_shows_the_password_again(make_app, actors, later):
    user = actors["restaurant"]
    get_session().commit()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = _token(client.get("/login").text)
    later(11)
    expired = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                          "csrf_token": token},
                          headers={"Origin": "http://localhost"})
    assert expired.status_code == 400
    assert PASSWORD not in expired.text
    assert "Revenir au formulaire" in expired.text


def test_old_ended_logins_are_forgotten_at_the_next_login(app, client, session, actors):
    user = actors["restaurant"]
    log_in(client, user)
    client.post("/logout")
    log_in(client, user)
    assert len(session.scalars(select(LoginSession)).all()) == 2  # the ended one is kept
    session.execute(update(LoginSession).where(LoginSession.ended_at.is_not(None))
                    .values(ended_at=utcnow() - timedelta(days=31)))
    session.commit()
    log_in(client, user)
    assert len(session.scalars(select(LoginSession)).all()) == 2  # the old one is gone
