"""The web shell: login, home per role, language, security headers."""

import pytest

from bouteilles.db.database import get_session


@pytest.fixture
def login(client):
    def do(user, password="marnes-tilleul-1774"):
        return client.post("/login", data={"email": user.email, "password": password})

    return do


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_keeps_the_email(client, actors, login):
    user = actors["restaurant"]
    get_session().commit()
    response = login(user, "wrong-password")
    assert response.status_code == 401
    assert user.email in response.text and "incorrect" in response.text


@pytest.mark.parametrize("kind", ["restaurant", "washing_site", "winegrower", "coordinator",
                                  "collector", "collection_point", "event_organiser"])
def test_home_says_who_you_are(client, actors, login, make_container, kind):
    user = actors[kind]
    if kind == "restaurant":
        make_container(holder=user.org)
    get_session().commit()
    assert login(user).status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert user.org.name in page.text and user.email in page.text
    if kind == "restaurant":
        assert "propre" in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_english_is_available(client, actors, login):
    user = actors["restaurant"]
    get_session().commit()
    login(user)
    assert 'lang="fr"' in client.get("/").text
    client.get("/lang/en")
    page = client.get("/")
    assert 'lang="en"' in page.text and "Log out" in page.text


def test_logout(client, actors, login):
    user = actors["restaurant"]
    get_session().commit()
    login(user)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_session_cookie_drives_the_api(client, actors, login):
    user = actors["restaurant"]
    get_session().commit()
    login(user)
    assert client.get("/api/v1/stock").status_code == 200


def test_unknown_page_is_a_friendly_html_404(client):
    response = client.get("/nowhere", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "<html" in response.text


def test_french_by_default_whatever_the_browser_says(client, actors, login):
    user = actors["restaurant"]
    get_session().commit()
    login(user)
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="fr"' in page.text and "Déconnexion" in page.text


def test_money_is_written_the_local_way():
    from bouteilles.formatting import money

    assert money(123450, locale="fr") == "1\u202f234,50\u00a0€"
    assert money(-500, locale="en") == "-€5.00"
