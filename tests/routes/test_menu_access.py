"""The menu and the blueprints' guards ask the access table: the menu links each role
to exactly the pages the access matrix lets it open; on a phone the menu folds into a
"Menu" button that also lists the account's pages the role uses."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import g
from routes.test_access_matrix import EXPECTED, KIND_OF, READER, expected

from bouteilles.models import ORG_KINDS, Organisation, User
from bouteilles.routes.guard import GUARDS
from bouteilles.routes.nav import ACCOUNT_NAV, NAV, WITHIN, account_links, nav_links
from bouteilles.services import access

ROLES = ORG_KINDS + (READER,)


def _user(role: str) -> User:
    kind = KIND_OF.get(role, role)
    org = Organisation(code=f"{kind}-menu", name="Menu", kind=kind, active=True)
    return User(email=f"menu@{kind}.test", org=org, active=True, is_admin=role == "coordinator")


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_links_the_pages_the_role_may_open(app, role):
    """A link is shown if and only if the matrix lets the role GET its page; a page
    within another entry's section (WITHIN) is reached from there instead."""
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    opened = {endpoint for endpoint, _label, _capability in NAV
              if expected(EXPECTED["GET", rules[endpoint]], role, None) == "allow"}
    with app.test_request_context("/"):
        g._login_user = _user(role)
        shown = [endpoint for endpoint, _label in nav_links()]
    assert set(shown) == {e for e in opened if WITHIN.get(e) not in opened}
    assert "home.index" in shown and len(shown) == len(set(shown))


def test_the_menu_and_the_guards_name_capabilities_of_the_table(app):
    named = {capability for _e, _l, capability in NAV + ACCOUNT_NAV if capability is not None}
    for capabilities in GUARDS.values():
        named.update(capabilities)
    assert named <= set(access.CAPABILITIES)
    assert set(GUARDS) == {"restaurant", "loans", "collector", "labels", "washing",
                           "batch_corrections", "winegrower", "admin", "admin_watch",
                           "factor_sets", "loops", "pickups", "orders", "settlements",
                           "bottle_models", "pallets", "producers", "grower_labels",
                           "ownership", "stocktakes", "imports"}


# Who uses the API with a token of their own (docs/decisions.md, "Accounts and logins").
API_USERS = {"restaurant", "washing_site", "coordinator"}


@pytest.mark.parametrize("role", ROLES)
def test_the_phone_menu_lists_the_password_and_tokens_for_api_users_only(app, role):
    with app.test_request_context("/"):
        g._login_user = _user(role)
        shown = [endpoint for endpoint, _label in account_links()]
    uses_api = KIND_OF.get(role, role) in API_USERS
    assert shown == ["account.password", "notifications.inbox"] + (
        ["account.tokens"] if uses_api else [])


class Links(HTMLParser):
    """The links of a page, and those inside the phone menu (<details class="menu">)."""

    def __init__(self) -> None:
        super().__init__()
        self.all: list[str] = []
        self.menu: list[str] = []
        self.summaries: list[str] = []
        self._depth = 0  # open <details class="menu"> elements
        self._in_summary = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details" and "menu" in (attrs.get("class") or "").split():
            self._depth += 1
        elif tag == "summary" and self._depth:
            self._in_summary = True
            self.summaries.append("")
        elif tag == "a" and attrs.get("href"):
            self.all.append(attrs["href"])
            if self._depth:
                self.menu.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "details" and self._depth:
            self._depth -= 1
        elif tag == "summary":
            self._in_summary = False

    def handle_data(self, data):
        if self._in_summary:
            self.summaries[-1] += data.strip()


def _links(client, path: str) -> Links:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = Links()
    parser.feed(response.text)
    return parser


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reaches_its_password_in_two_taps(client, make_user, login, session, role):
    """Phone: "Menu", then "Mot de passe". Wide screen: "Mon compte", then the
    password link on the account page. API tokens: linked only for API users."""
    user = make_user(KIND_OF.get(role, role))
    if role == READER:
        user.is_admin = False
        session.commit()
    login(user)
    home = _links(client, "/")
    assert home.summaries == ["Menu"]
    assert "/account/password" in home.menu  # tap 1: Menu, tap 2: Mot de passe
    assert "/logout" not in home.all  # logging out is a form's button, not a link
    account = _links(client, "/account/")
    assert "/account/" in home.all and "/account/password" in account.all
    uses_api = KIND_OF.get(role, role) in API_USERS
    assert ("/account/tokens" in home.menu) is uses_api
    assert ("/account/tokens" in account.all) is uses_api


def test_the_menu_marks_the_page_shown(client, actors, login):
    login(actors["restaurant"])
    html = client.get("/restaurant/cash").text
    assert 'href="/restaurant/" aria-current="page"' in html  # its section, in both menus
    assert html.count('aria-current="page"') == 2


def test_logged_out_pages_have_no_menu_button(client):
    page = _links(client, "/login")
    assert page.summaries == [] and "/lang/en" in page.all
