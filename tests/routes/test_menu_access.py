"""The menu and the blueprints' guards ask the access table: the menu links each role
to exactly the pages the access matrix lets it open."""

from __future__ import annotations

import pytest
from flask import g
from routes.test_access_matrix import EXPECTED, KIND_OF, READER, expected

from bouteilles.models import ORG_KINDS, Organisation, User
from bouteilles.routes.guard import GUARDS
from bouteilles.routes.nav import NAV, WITHIN, nav_links
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
    named = {capability for _e, _l, capability in NAV if capability is not None}
    for capabilities in GUARDS.values():
        named.update(capabilities)
    assert named <= set(access.CAPABILITIES)
    assert set(GUARDS) == {"restaurant", "loans", "collector", "labels", "washing",
                           "winegrower", "admin", "admin_watch", "factor_sets"}
