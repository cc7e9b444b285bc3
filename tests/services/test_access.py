"""The access table (services/access.py): its entries, `may`, `require`, and that
every capability the code names is in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bouteilles.models import ORG_KINDS, Organisation, User
from bouteilles.services import access
from bouteilles.services.errors import Forbidden
from bouteilles.services.lifecycle import SCAN_ACTIONS, may_act
from bouteilles.services.members.accounts import Actor

PACKAGE = Path(access.__file__).resolve().parents[1]
# A capability named as the last argument of may / require / kinds_with / may_act, in
# Python (access.may(user, "x")) and in templates (may('x')).
NAMED = re.compile(r"""\b(?:may|require|kinds_with|may_act)\([^"'()]*["']([a-z_]+)["']\)""")


def _user(kind: str, *, admin: bool = False) -> User:
    org = Organisation(code=f"{kind}-x", name="X", kind=kind, active=True)
    return User(email=f"x@{kind}.test", org=org, active=True, is_admin=admin)


def test_the_table_names_organisation_kinds_only():
    for name, rule in access.CAPABILITIES.items():
        assert rule.kinds, name
        assert rule.kinds <= set(ORG_KINDS), name


def test_every_scan_action_is_a_capability_the_coordination_holds():
    """The coordination corrects the record: it may record every scan action."""
    for action in SCAN_ACTIONS:
        assert "coordinator" in access.kinds_with(action)
        for kind in ORG_KINDS:
            assert may_act(kind, action) == (kind in access.kinds_with(action))


def test_may_reads_the_kind_of_a_user_an_actor_an_organisation_or_a_kind():
    user = _user("washing_site")
    actor = Actor(1, 2, "washing_site", "lavage", "Lavage")
    for who in (user, actor, user.org, "washing_site"):
        assert access.may(who, "wash")
        assert not access.may(who, "lend")


def test_an_admin_capability_needs_administrator_rights():
    assert access.may(_user("coordinator", admin=True), "administer")
    assert not access.may(_user("coordinator"), "administer")
    assert access.may(_user("coordinator"), "coordination_pages")
    assert not access.may(Actor(1, 2, "coordinator", "coop", "Coop"), "administer")
    assert not access.may(_user("restaurant", admin=True), "administer")


def test_require_refuses_with_the_message_of_the_capability():
    with pytest.raises(Forbidden) as refused:
        access.require(_user("restaurant"), "sort")
    # Named as people read them, not as codes.
    assert str(refused.value) == ("Votre organisation (Restaurant) ne peut pas enregistrer "
                                  "« Trier ».")
    with pytest.raises(Forbidden, match="^Réservé aux vignerons.$"):
        access.require(_user("coordinator", admin=True), "winegrower_work")
    with pytest.raises(Forbidden, match="pas les modifier"):
        access.require(_user("coordinator"), "administer")
    access.require(_user("winegrower"), "winegrower_work")


def test_a_capability_missing_from_the_table_is_an_error():
    with pytest.raises(LookupError, match="no capability 'wash_dishes'"):
        access.may(_user("restaurant"), "wash_dishes")


def test_every_capability_named_in_the_code_is_in_the_table():
    """Services, routes and templates ask for capabilities by name: each one exists."""
    named: dict[str, set[str]] = {}
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html")]:
        for name in NAMED.findall(path.read_text(encoding="utf-8")):
            named.setdefault(name, set()).add(str(path.relative_to(PACKAGE)))
    missing = {name: where for name, where in named.items() if name not in access.CAPABILITIES}
    assert not missing
    # The pattern does find them (services, routes and templates alike).
    assert {"oversee_network", "administer", "lend_tableware", "washing_work",
            "winegrower_work", "keep_batches", "commission"} <= set(named)
