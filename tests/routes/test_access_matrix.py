"""Who may use what: every route × every role × own or another member's object.

The cases are discovered from the app's URL map (``app.url_map``), not
listed by hand: each (method, rule) is looked up in ``EXPECTED`` below, the
expected-access table, and tried as anonymous and as a user of each of the
seven organisation kinds, the coordination three times (an administrator of
the national coordination, a ``coordinator_reader``: a user of it without
admin rights, who reads but does not administer, and a
``coordinator_territorial``: an administrator of a territory's coordination); a
route taking an object (an item code, a batch, a loan, a request, a token, a
user, an organisation) is tried on the caller's own object and on another
member's, and, for the coordination, on an object of a member of another
territory (``away``).

Territories: the members of the world (sides 'a' and 'b') are in the territory
``home``, the national coordination in none, and a member of each kind (side
'x', "ailleurs") in the territory ``away``. The territorial coordinator
coordinates ``home``: an ``away`` object is refused to it (403, or the route's
own denial status) wherever the national coordination may reach any member's;
``test_no_leak_to_a_territorial_coordinator`` reads every page and answer it may
read and finds no name, code or e-mail of the ``away`` members in them.

**A route missing from EXPECTED fails this test**: when you add a page or an
endpoint, add a line to EXPECTED saying who may use it (and which object its
URL takes). A line whose route no longer exists fails too.

Verdicts: *allowed* means the access control let the request through (any
answer below 500 that is not 401, 403, the route's own denial status, or a
redirect to the login page: an empty form may well get 422); *denied* means
exactly: 302 to ``/login?next=…`` for an anonymous visitor on a page, 401 for
an anonymous API call, 403 (or the route's ``other_status``, 404 for loans,
which hide other members' loans) for a logged-in member.

Requests that only read (GET) share one database loaded with the world; each
request that writes runs inside a transaction rolled back afterwards (the
app's own commits become savepoints), so no case depends on the order in
which the cases run.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import uuid
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bouteilles import create_app
from bouteilles.db.database import get_session
from bouteilles.models import ORG_KINDS
from bouteilles.services.items.lookup import get_org
from bouteilles.services.loans import create_loan
from bouteilles.services.members.accounts import create_org, create_user, issue_token
from bouteilles.services.members.logins import login_id_of, open_login
from bouteilles.services.movements import commission_containers
from bouteilles.services.pages.winegrower import create_request
from bouteilles.services.pickups import request_pickup
from bouteilles.services.stocktakes import take_stock
from bouteilles.services.territories import create_territory
from bouteilles.services.washing.batches import open_batch

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _app_config(url: str) -> dict:
    """The test settings of tests/conftest.py."""
    return {
        "TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
        "BASE_URL": "http://bouteilles.test", "WTF_CSRF_ENABLED": False,
        "LOGIN_LIMITS": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


READER = "coordinator_reader"  # a coordination user without admin rights
TERRITORIAL = "coordinator_territorial"  # an administrator of the home territory's coordination
ROLES = ("anonymous",) + ORG_KINDS + (READER, TERRITORIAL)
KIND_OF = {READER: "coordinator", TERRITORIAL: "coordinator"}  # each role's organisation kind
COORDINATION = frozenset({"coordinator", READER, TERRITORIAL})
AWAY = "ailleurs"  # the codes and names of the other territory's members carry it
ANY = "logged_in"
PUBLIC = "public"


@dataclass(frozen=True)
class Access:
    """Who may use a route.

    who: PUBLIC, ANY (any logged-in member) or the set of org kinds allowed.
    obj: the kind of object the URL names (see World.url_value), or None.
    own_only: members other than the coordination may only touch their own object.
    coordinator_all: the coordination may touch anyone's object (when own_only).
    other_status: the answer to a member asking for another member's object.
    form / json: the body sent (forms for pages, JSON for the API).
    special: (role, whose) → "allow" or a status, for the few exceptions.
    ok: statuses that count as allowed although they look like a refusal (/login's 401).
    query: a query-string parameter naming an organisation whose data is asked for
      (``?org=``): tried with the caller's own organisation and another member's.
    admin: only the coordination's administrators (``User.is_admin``): a
      coordination user without admin rights gets 403.
    away: what the territorial coordinator gets for another territory's object
      ("allow", or a status); by default the refusal the route gives a member
      asking for another member's object, wherever the coordination may reach
      anyone's (an object-less or public route: allowed).

    URL parameters that are not objects (a month, a format, a state…) take the
    values of FIXED_PARAMS, by name.
    """

    who: object
    obj: str | None = None
    own_only: bool = False
    coordinator_all: bool = True
    other_status: int = 403
    form: dict = field(default_factory=dict)
    json: dict | None = None
    special: dict = field(default_factory=dict)
    ok: frozenset = frozenset()
    query: str | None = None  # the query parameter naming an organisation (?org=)
    admin: bool = False
    away: str | int | None = None


COORD = frozenset({"coordinator"})
ADMIN = dict(who=COORD, admin=True)  # Access(**ADMIN, ...): the administrators only
# What the whole network shares (types, factor sets, the report's issuer, territories):
# the national coordination's; a territory's coordination may read, not change it.
NATIONAL = {(TERRITORIAL, None): 403}
SITE = frozenset({"washing_site"})
SITE_OR_COORD = frozenset({"washing_site", "coordinator"})
PARTIES = frozenset({"restaurant", "coordinator", "event_organiser"})
LENDERS = frozenset({"restaurant", "coordinator"})
# Who asks for a pickup ("bac plein").
ASKERS = frozenset({"restaurant", "collection_point"})
# Who settles deposits with other members, and a settlement marked paid (of nobody).
SETTLERS = frozenset({"restaurant", "collection_point", "event_organiser", "coordinator"})
MARK = {"month": "2026-11", "from": "nobody-x", "to": "nobody-y", "method": "cash",
        "paid_on": "2026-11-30"}

EXPECTED: dict[tuple[str, str], Access] = {
    # --- shell, login, language, public pages
    ("GET", "/"): Access(ANY),
    ("GET", "/login"): Access(PUBLIC),
    ("POST", "/login"): Access(PUBLIC, form={"email": "x@y.z", "password": "nope"},
                               ok=frozenset({401})),
    ("POST", "/logout"): Access(ANY),
    ("GET", "/lang/<locale>"): Access(PUBLIC, obj="locale"),
    ("GET", "/q"): Access(PUBLIC),
    ("GET", "/q/<code>"): Access(PUBLIC, obj="item"),
    ("GET", "/8003/<path:grai>"): Access(PUBLIC, obj="grai"),
    ("GET", "/ou-rapporter"): Access(PUBLIC),
    # --- what the EPCIS export's URIs name: places, parties and types are public master
    # data; an event, for the members who may read its object's history (the event of
    # FIXED_PARAMS does not exist: 404 past the door)
    ("GET", "/org/<code>"): Access(PUBLIC, obj="org"),
    ("GET", "/414/<gln>"): Access(PUBLIC),
    ("GET", "/417/<gln>"): Access(PUBLIC),
    ("GET", "/class/<type_code>"): Access(PUBLIC, obj="type"),
    ("GET", "/events/<int:event_id>"): Access(ANY),
    ("GET", "/events/<statement>"): Access(ANY),
    ("GET", "/batches/<batch_code>"): Access(ANY),
    ("GET", "/voc/"): Access(PUBLIC),
    ("GET", "/voc/<term>"): Access(PUBLIC),
    # --- the phone scanner (its offline page loads without a login; its service
    # worker, /sw.js, is a static file: bouteilles/static_files/)
    ("GET", "/scan"): Access(ANY),
    ("GET", "/offline"): Access(PUBLIC),
    # --- JSON API (any member may look up any code it has in hand; the service
    # decides per action and per organisation what a scan may do)
    ("GET", "/api/v1/health"): Access(PUBLIC),
    ("GET", "/api/v1/openapi.json"): Access(PUBLIC),
    ("GET", "/api/v1/items/<code>"): Access(ANY, obj="item"),
    # A passport as the item: any member; its history hidden from those who never had it.
    ("GET", "/api/v1/items/<code>/passport"): Access(ANY, obj="item"),
    ("POST", "/api/v1/scans"): Access(ANY, json={}),
    ("POST", "/api/v1/scans/batch"): Access(ANY, json={"scans": []}),
    # An undo is any member's to ask; the service then says whose event it is
    # (the event of FIXED_PARAMS does not exist: 404 past the door).
    ("POST", "/api/v1/events/<int:event_id>/undo"): Access(ANY,
                                                          json={"idempotency_key": "m"}),
    ("POST", "/api/v1/items/<code>/relabel"): Access(SITE_OR_COORD, obj="item", json={}),
    ("POST", "/api/v1/containers"): Access(SITE_OR_COORD, json={"type": "bocal-500",
                                                                 "count": 1}),
    ("POST", "/api/v1/crates"): Access(SITE_OR_COORD, json={"type": "bouteille-75",
                                                             "quantity": 10}),
    ("GET", "/api/v1/stock"): Access(ANY, query="holder", own_only=True),
    ("GET", "/api/v1/deposits"): Access(ANY, query="org", own_only=True),
    ("POST", "/api/v1/batches"): Access(SITE_OR_COORD, json={"type": "bocal-750"}),
    ("GET", "/api/v1/batches/<int:batch_id>"): Access(SITE_OR_COORD, obj="batch",
                                                      own_only=True),
    ("POST", "/api/v1/batches/<int:batch_id>/inputs"): Access(
        SITE_OR_COORD, obj="batch", own_only=True, json={"count": 1}),
    ("POST", "/api/v1/batches/<int:batch_id>/close"): Access(
        SITE_OR_COORD, obj="batch", own_only=True, json={"clean": 0}),
    # A batch's site corrects it (within days of the close), the coordination's
    # administrators any batch: the world's batches are open, so 409 past the door.
    ("POST", "/api/v1/batches/<int:batch_id>/corrections"): Access(
        SITE_OR_COORD, obj="batch", own_only=True, admin=True,
        json={"clean": 0, "rejected": {}, "reason": "recompté"}),
    # --- labels (printing is for the coordination and washing sites)
    ("GET", "/labels"): Access(SITE_OR_COORD),
    ("POST", "/labels"): Access(SITE_OR_COORD),
    ("GET", "/labels/<code>.png"): Access(SITE_OR_COORD, obj="item"),
    ("GET", "/labels/<code>.svg"): Access(SITE_OR_COORD, obj="item"),
    # --- restaurants (their own boxes only: the pages take no object)
    ("GET", "/restaurant/"): Access({"restaurant"}),
    ("GET", "/restaurant/boxes/<state>"): Access({"restaurant"}, obj="state"),
    ("GET", "/restaurant/cash"): Access({"restaurant"}),
    ("GET", "/restaurant/counter"): Access({"restaurant"}),
    ("POST", "/restaurant/counter"): Access({"restaurant"}),
    ("GET", "/restaurant/settlements"): Access({"restaurant"}),
    ("GET", "/restaurant/counted-returns"): Access({"restaurant"}),
    ("POST", "/restaurant/counted-returns"): Access({"restaurant"},
                                                   form={"type": "bocal-500", "count": "1"}),
    # --- event tableware loans: parties see theirs (others' are 404), the lender writes
    ("GET", "/loans/"): Access(PARTIES),
    ("GET", "/loans/new"): Access(LENDERS),
    ("POST", "/loans/new"): Access(LENDERS),
    ("GET", "/loans/<int:loan_id>"): Access(PARTIES, obj="loan", own_only=True,
                                            other_status=404),
    ("GET", "/loans/<int:loan_id>.pdf"): Access(PARTIES, obj="loan", own_only=True,
                                                other_status=404),
    ("POST", "/loans/<int:loan_id>/check"): Access(
        PARTIES, obj="loan", own_only=True, other_status=404,
        special={("event_organiser", "own"): 403}),  # the borrower reads, the lender writes
    # --- collectors
    ("GET", "/collector/"): Access({"collector"}),
    ("POST", "/collector/scan"): Access({"collector"}),
    ("POST", "/collector/deliver-all"): Access({"collector"}),
    # --- washing sites (the coordination reads batches)
    ("GET", "/washing/"): Access(SITE),
    ("GET", "/washing/receive"): Access(SITE),
    ("POST", "/washing/receive"): Access(SITE),
    ("GET", "/washing/sort"): Access(SITE),
    ("POST", "/washing/sort"): Access(SITE),
    ("GET", "/washing/batches"): Access(SITE_OR_COORD),
    ("POST", "/washing/batches"): Access(SITE),
    ("GET", "/washing/batches/<int:batch_id>"): Access(SITE_OR_COORD, obj="batch",
                                                       own_only=True),
    ("GET", "/washing/batches/<int:batch_id>/labels.pdf"): Access(SITE_OR_COORD, obj="batch",
                                                                  own_only=True),
    ("POST", "/washing/batches/<int:batch_id>/inputs"): Access(SITE, obj="batch",
                                                               own_only=True),
    ("POST", "/washing/batches/<int:batch_id>/close"): Access(SITE, obj="batch",
                                                              own_only=True),
    ("POST", "/washing/batches/<int:batch_id>/release"): Access(SITE, obj="batch",
                                                                own_only=True),
    ("POST", "/washing/batches/<int:batch_id>/corrections"): Access(
        SITE_OR_COORD, obj="batch", own_only=True, admin=True,
        form={"clean": "0", "reason": "recompté"}),
    ("GET", "/washing/labels.pdf"): Access(SITE),
    ("GET", "/washing/requests"): Access(SITE),
    ("POST", "/washing/requests/<int:request_id>/fulfil"): Access(SITE, obj="request_site",
                                                                  own_only=True),
    # --- winegrowers
    ("GET", "/winegrower/"): Access({"winegrower"}),
    ("POST", "/winegrower/fill"): Access({"winegrower"}),
    ("GET", "/winegrower/history"): Access({"winegrower"}),
    ("GET", "/winegrower/requests"): Access({"winegrower"}),
    ("POST", "/winegrower/requests"): Access({"winegrower"}),
    ("POST", "/winegrower/requests/<int:request_id>/cancel"): Access(
        {"winegrower"}, obj="request", own_only=True),
    # --- coordination (every user of it reads; its administrators change things)
    ("GET", "/admin/"): Access(COORD),
    ("GET", "/admin/orgs"): Access(COORD),
    ("GET", "/admin/orgs/new"): Access(**ADMIN),
    ("POST", "/admin/orgs/new"): Access(**ADMIN),
    ("GET", "/admin/orgs/<code>"): Access(COORD, obj="org"),
    ("POST", "/admin/orgs/<code>"): Access(**ADMIN, obj="org", form={"name": "Nouveau nom"}),
    ("POST", "/admin/orgs/<code>/active"): Access(**ADMIN, obj="org", form={"active": "1"}),
    ("GET", "/admin/users"): Access(COORD),
    ("GET", "/admin/users/new"): Access(**ADMIN),
    ("POST", "/admin/users/new"): Access(**ADMIN),
    ("POST", "/admin/users/<int:user_id>/active"): Access(**ADMIN, obj="user",
                                                          form={"active": "1"}),
    ("POST", "/admin/users/<int:user_id>/reset"): Access(**ADMIN, obj="user"),
    ("GET", "/admin/tokens"): Access(COORD),
    ("POST", "/admin/tokens"): Access(**ADMIN),
    ("POST", "/admin/tokens/<int:token_id>/revoke"): Access(**ADMIN, obj="token"),
    ("GET", "/admin/models/"): Access(COORD),
    ("GET", "/admin/models/new"): Access(**ADMIN, special=NATIONAL),
    ("POST", "/admin/models/new"): Access(**ADMIN, special=NATIONAL),
    ("GET", "/admin/models/<code>"): Access(COORD, obj="model"),
    ("POST", "/admin/models/<code>"): Access(**ADMIN, obj="model", special=NATIONAL),
    ("GET", "/admin/types"): Access(COORD),
    ("GET", "/admin/types/new"): Access(**ADMIN, special=NATIONAL),
    ("POST", "/admin/types/new"): Access(**ADMIN, special=NATIONAL),
    ("GET", "/admin/types/<code>"): Access(COORD, obj="type"),
    ("POST", "/admin/types/<code>"): Access(**ADMIN, obj="type", special=NATIONAL),
    # A territory's own deposit for a type: its administrators (<territory>: "home").
    ("POST", "/admin/types/<code>/deposits/<territory>"): Access(**ADMIN, obj="type",
                                                                 form={"deposit": "2"}),
    ("GET", "/admin/territories"): Access(COORD, special=NATIONAL),
    ("POST", "/admin/territories"): Access(**ADMIN, form={"code": "ain", "name": "Ain"},
                                           special=NATIONAL),
    ("GET", "/admin/loops"): Access(COORD),
    ("GET", "/admin/report-issuer"): Access(COORD),
    ("POST", "/admin/report-issuer"): Access(**ADMIN, form={"name": "Coopérative"},
                                             special=NATIONAL),
    # Loops and their distances: a territory's coordination sees its sites' loops.
    ("GET", "/admin/anomalies"): Access(COORD),
    ("GET", "/admin/audit"): Access(COORD),
    ("GET", "/admin/items/<code>"): Access(COORD, obj="item"),
    ("POST", "/admin/items/<code>/undo"): Access(**ADMIN, obj="item",
                                                 form={"event_id": "999999", "reason": "x"}),
    ("POST", "/admin/items/<code>/relabel"): Access(**ADMIN, obj="item"),
    # --- one's own account (tokens: one's own only, the coordination included)
    ("GET", "/account/tokens"): Access(ANY),
    ("POST", "/account/tokens"): Access(ANY),
    ("POST", "/account/tokens/<int:token_id>/revoke"): Access(ANY, obj="token", own_only=True,
                                                              coordinator_all=False),
    ("GET", "/account/"): Access(ANY),
    ("POST", "/account/sessions/<int:login_id>/end"): Access(
        ANY, obj="login", own_only=True, coordinator_all=False, other_status=404),
    ("POST", "/account/sessions/end-others"): Access(ANY),
    ("GET", "/account/password"): Access(ANY),
    ("POST", "/account/password"): Access(ANY),
    # --- notifications: one's own list and settings (another's notification: 404,
    # tests/notifications/test_pages.py); a mail's signed unsubscribe link: public
    ("GET", "/account/notifications"): Access(ANY),
    ("POST", "/account/notifications"): Access(ANY),
    ("GET", "/account/notifications/<int:notification_id>"): Access(ANY),
    ("GET", "/unsubscribe/<token>"): Access(PUBLIC),
    ("POST", "/unsubscribe/<token>"): Access(PUBLIC),
    ("POST", "/unsubscribe/<token>/resubscribe"): Access(PUBLIC),
    # --- pickup requests ("bac plein"): restaurants and collection points ask (and
    # withdraw their own), collectors and the coordination read
    ("GET", "/pickups/"): Access(ASKERS),
    ("POST", "/pickups/"): Access(ASKERS),
    ("POST", "/pickups/<int:request_id>/cancel"): Access(ASKERS, obj="pickup", own_only=True),
    ("POST", "/api/v1/pickups"): Access(ASKERS, json={}),
    ("GET", "/api/v1/pickups"): Access(frozenset({"collector", "coordinator"})),
    ("POST", "/api/v1/pickups/<int:request_id>/cancel"): Access(ASKERS, obj="pickup",
                                                               own_only=True),
    # --- a restaurant's orders of clean boxes (as winegrowers' requests)
    ("GET", "/restaurant/orders/"): Access({"restaurant"}),
    ("POST", "/restaurant/orders/"): Access({"restaurant"}),
    ("POST", "/restaurant/orders/<int:request_id>/cancel"): Access(
        {"restaurant"}, obj="request", own_only=True),
    # --- settlements between members (netted per pair, marked paid): the members who take
    # or refund deposits, and the coordination; the service then decides per pair (either
    # side, or an administrator of a coordination that sees either side). A reader of the
    # coordination reads, never marks (403 before anything else).
    ("GET", "/settlements/"): Access(SETTLERS),
    ("POST", "/settlements/paid"): Access(SETTLERS, special={(READER, None): 403}),
    ("POST", "/settlements/cancel"): Access(SETTLERS, special={(READER, None): 403}),
    ("GET", "/settlements/statement/<month>.pdf"): Access(SETTLERS, query="org",
                                                          own_only=True),
    ("GET", "/admin/settlements"): Access(COORD),
    ("GET", "/api/v1/settlements"): Access(ANY, query="org", own_only=True),
    ("POST", "/api/v1/settlements/paid"): Access(ANY, json=MARK,
                                                 special={(READER, None): 403}),
    ("POST", "/api/v1/settlements/cancel"): Access(ANY, json=MARK,
                                                   special={(READER, None): 403}),
    # --- pallets filled at the washing site (the site's own; another site's: 403)
    ("GET", "/washing/pallets/"): Access(SITE),
    ("POST", "/washing/pallets/"): Access(SITE),
    ("GET", "/washing/pallets/<code>"): Access(SITE, obj="item", own_only=True),
    ("POST", "/washing/pallets/<code>/top-up"): Access(SITE, obj="item", own_only=True),
    ("POST", "/washing/pallets/<code>/release"): Access(SITE, obj="item", own_only=True),
    ("GET", "/washing/pallets/<code>/label.pdf"): Access(SITE, obj="item", own_only=True),
    # --- producers' labels: the winegrower's figures; the coordination's table, flags
    ("GET", "/winegrower/labels/"): Access({"winegrower"}),
    ("GET", "/admin/producers/"): Access(COORD),
    ("POST", "/admin/producers/<code>/flag"): Access(**ADMIN, obj="org"),
    ("POST", "/admin/producers/<code>/unflag"): Access(**ADMIN, obj="org"),
    # --- imports from a spreadsheet: the coordination's administrators (a territory's: its own)
    ("GET", "/admin/import"): Access(**ADMIN),
    ("POST", "/admin/import"): Access(**ADMIN),
    # --- stock counts (inventaire): a member counts its own stock; the coordination's
    # administrators count for its members and settle what is missing
    ("GET", "/stocktakes/"): Access(ANY),
    ("GET", "/stocktakes/new"): Access(ANY),
    ("POST", "/stocktakes/new"): Access(ANY, form={"type": "bocal-500"}),
    ("GET", "/stocktakes/<int:stocktake_id>"): Access(ANY, obj="stocktake", own_only=True),
    ("GET", "/stocktakes/<int:stocktake_id>.csv"): Access(ANY, obj="stocktake", own_only=True),
    ("POST", "/stocktakes/<int:stocktake_id>/resolve"): Access(**ADMIN, obj="stocktake",
                                                               form={"how": "left"}),
    ("POST", "/api/v1/stocktakes"): Access(ANY, json={"site": "nobody-x", "type": "bocal-500",
                                                      "codes": []}),
    # --- owners: stock by owner, and transfers of ownership by the coordination's administrators
    ("GET", "/admin/owners"): Access(COORD),
    ("POST", "/admin/owners/transfer"): Access(**ADMIN),
    ("POST", "/admin/items/<code>/transfer"): Access(**ADMIN, obj="item"),
    ("POST", "/api/v1/items/<code>/transfer"): Access(**ADMIN, obj="item", json={"to": "x"}),
    # --- stock alerts: a member's own thresholds of clean stock
    ("POST", "/restaurant/stock-alerts"): Access({"restaurant"}),
    ("POST", "/winegrower/stock-alerts"): Access({"winegrower"}),
    # --- impact: everyone reads their own organisation's figures, the
    # coordination the network's; factor sets are the coordination's
    ("GET", "/api/v1/impact"): Access(ANY, query="org", own_only=True),
    ("GET", "/exports/impact/<month>.<fmt>"): Access(ANY, query="org", own_only=True),
    ("GET", "/exports/epcis/<month>.jsonld"): Access(ANY, query="org", own_only=True),
    ("GET", "/api/v1/passports"): Access(ANY, query="org", own_only=True),
    ("GET", "/dashboard"): Access(ANY),
    ("GET", "/impact/factors/"): Access(COORD),
    ("GET", "/impact/factors/new"): Access(**ADMIN, special=NATIONAL),
    ("POST", "/impact/factors/new"): Access(**ADMIN, special=NATIONAL),
    ("GET", "/impact/factors/<code>"): Access(COORD, obj="factor_set"),
    ("POST", "/impact/factors/<code>"): Access(**ADMIN, obj="factor_set", special=NATIONAL),
    # The territories side by side: the national coordination's.
    ("GET", "/api/v1/territories"): Access(COORD, special=NATIONAL),
}


# ---------------------------------------------------------------- the world


def _discover() -> list[tuple[str, str]]:
    """(method, rule) of every route of the app, static files aside."""
    app = create_app(_app_config("sqlite://"))
    routes = sorted({(method, rule.rule) for rule in app.url_map.iter_rules()
                     if rule.endpoint != "static"
                     for method in rule.methods - {"HEAD", "OPTIONS"}})
    app.extensions["db_engine"].dispose()
    return routes


ROUTES = _discover()


def build_world(session) -> dict:
    """Two organisations of each kind ('a': the caller's, 'b': another member) in the
    territory `home` (the coordination's: in none), one more of each kind ('x') in the
    territory `away`, the home territory's coordination, a user each, and an object
    of every kind for each of them; returns ids and codes."""
    world: dict = {"org": {}, "user": {}, "item": {}, "token": {}, "batch": {},
                   "loan": {}, "request": {}, "request_site": {}, "bearer": {}, "pickup": {},
                   "stocktake": {}, "login": {}, "login_token": {}, "away_marks": set()}
    home = create_territory(session, code="home", name="Home")
    away = create_territory(session, code="away", name="Away")

    def member(role: str, side: str, kind: str) -> None:
        if side == "x":
            code, territory = f"{kind.replace('_', '-')}-{AWAY}", away.id
        elif role == TERRITORIAL:
            code, territory = "coordinator-home", home.id
        else:
            code = f"{kind.replace('_', '-')}-{side}"
            territory = None if kind == "coordinator" else home.id
        if role == kind or role == TERRITORIAL:
            create_org(session, code=code, name=code.title(), kind=kind,
                       territory_id=territory)
        world["org"][role, side] = code
        user = create_user(session, email=f"{side}.{role}@{code}.test",
                           org=get_org(session, code), password="marnes-tilleul-1774",
                           admin=role in ("coordinator", TERRITORIAL))
        world["user"][role, side] = user.id
        token, clear = issue_token(session, user, "matrix")
        world["token"][role, side] = token.id
        world["bearer"][role, side] = clear
        world["login_token"][role, side] = open_login(
            session, user, remember=False, user_agent="matrix", ip=None)
        world["login"][role, side] = login_id_of(session, world["login_token"][role, side])

    for role in ORG_KINDS + (READER,):
        for side in "abx":
            if not (side == "x" and role == READER):
                member(role, side, KIND_OF.get(role, role))
    member(TERRITORIAL, "a", "coordinator")
    session.flush()
    from bouteilles.models import User

    users = {key: session.get(User, uid) for key, uid in world["user"].items()}
    coordinator = users["coordinator", "a"]
    for (kind, side), code in world["org"].items():
        if kind == READER:
            continue
        box = commission_containers(session, actor=coordinator, type_code="bocal-500",
                                    count=1, holder_code=code)[0]
        world["item"][kind, side] = box.code
    for side in "abx":
        site = users["washing_site", side]
        batch = open_batch(session, actor=site, type_code="bouteille-75")
        world["batch"]["washing_site", side] = batch.id
        loan = create_loan(session, actor=users["restaurant", side],
                           borrower_code=world["org"]["event_organiser", side],
                           event_name=f"Fête {side}", event_date=date(2026, 6, 21),
                           quantities={"bocal-500": 5})
        world["loan"]["restaurant", side] = world["loan"]["event_organiser", side] = loan.id
        wanted = create_request(session, actor=users["winegrower", side],
                                site_code=world["org"]["washing_site", side],
                                type_code="bouteille-75", quantity=12)
        world["request"]["winegrower", side] = wanted.id
        world["request_site"]["washing_site", side] = wanted.id
        ordered = create_request(session, actor=users["restaurant", side],
                                 site_code=world["org"]["washing_site", side],
                                 type_code="bocal-500", quantity=6)
        world["request"]["restaurant", side] = ordered.id
        for kind in sorted(ASKERS):
            asked = request_pickup(session, actor=users[kind, side])
            world["pickup"][kind, side] = asked.request.id
        counted = take_stock(session, actor=site, site=world["org"]["washing_site", side],
                             type_code="bocal-500", codes=[])
        world["stocktake"]["washing_site", side] = counted.id
    world["away_marks"] = {AWAY, AWAY.title()} | {
        code for (_kind, side), code in world["item"].items() if side == "x"}
    session.commit()
    return world


# Objects nobody owns (one case per role), and URL parameters that are not objects.
FIXED = {"locale": "en", "state": "clean", "grai": "0614141000012345", "type": "bocal-500",
         "factor_set": "fr-2026-1", "model": "bourgogne-75-feuille-morte"}
FIXED_PARAMS = {"month": "2026-11", "fmt": "csv", "locale": "en", "state": "clean",
                "grai": "0614141000012345", "event_id": "999999", "gln": "3701234000008",
                "term": "washing", "statement": "batch-B-NONE", "batch_code": "B-NONE",
                "territory": "home", "notification_id": "999999", "token": "forged"}


def url_value(world: dict, obj: str, role: str, whose: str) -> object | None:
    """The URL parameter naming `whose` object for this role (None: no such object)."""
    if obj in FIXED:
        return FIXED[obj]
    table = world[obj]
    kind = KIND_OF.get(role, role)
    if whose == "own":
        return table.get((role, "a"), table.get((kind, "a")))
    if whose == "away":
        return table.get((kind, "x"), next(
            value for (_kind, side), value in sorted(table.items()) if side == "x"))
    if role == TERRITORIAL:  # another member of its territory (the coordination is in none)
        return next(value for (owner, side), value in sorted(table.items())
                    if side == "b" and owner not in COORDINATION)
    # Another member's object: one of the same kind as the caller's when there is
    # one, else the first member holding such an object.
    for key in ((role, "b"), (kind, "b")):
        if key in table:
            return table[key]
    return next(value for (kind, side), value in sorted(table.items()) if side == "b")


# Which kinds of organisation can own each kind of object (the others only get the
# "another member's object" case).
OWNERS = {"batch": {"washing_site"}, "loan": {"restaurant", "event_organiser"},
          "request": {"winegrower", "restaurant"}, "request_site": {"washing_site"},
          "pickup": set(ASKERS), "stocktake": {"washing_site"},
          "item": set(ORG_KINDS), "org": set(ORG_KINDS), "user": set(ORG_KINDS),
          "token": set(ORG_KINDS), "login": set(ORG_KINDS)}


def cases():
    for method, rule in ROUTES:
        access = EXPECTED.get((method, rule))
        objects = (access.obj or ("org" if access.query else None)) if access else None
        for role in ROLES:
            if objects is None or objects in FIXED:
                yield pytest.param(method, rule, role, None, id=f"{method} {rule} {role}")
                continue
            for whose in ("own", "other", "away"):
                if whose == "own" and KIND_OF.get(role, role) not in OWNERS[objects]:
                    continue
                if whose == "away" and role not in COORDINATION:
                    continue  # for the other members, another territory's is another's
                yield pytest.param(method, rule, role, whose,
                                   id=f"{method} {rule} {role} {whose}")


CASES = list(cases())


def expected(access: Access, role: str, whose: str | None) -> str | int:
    """"allow", or the status of the refusal."""
    if role == "anonymous":
        return "allow" if access.who == PUBLIC else "anonymous"
    if (role, whose) in access.special:
        return access.special[role, whose]
    if whose == "away":
        within = expected(access, role, "other")
        if role != TERRITORIAL or within != "allow" or access.who == PUBLIC:
            return within
        if access.away is not None:
            return access.away
        reaches_anyone = access.own_only or access.who not in (PUBLIC, ANY)
        return access.other_status if reaches_anyone else "allow"
    kind = KIND_OF.get(role, role)
    if access.who not in (PUBLIC, ANY) and kind not in access.who:
        return 403
    if access.admin and role == READER:
        return 403
    if whose == "other" and access.own_only and not (kind == "coordinator"
                                                     and access.coordinator_all):
        return access.other_status
    return "allow"


# ---------------------------------------------------------------- databases


class WorldDatabases:
    """A migrated database holding the world, and cheap copies of it."""

    def __init__(self, databases) -> None:
        self.databases = databases
        self.url = databases.new()
        app = create_app(_app_config(self.url))
        with app.app_context():
            self.world = build_world(get_session())
        app.extensions["db_engine"].dispose()
        self.copies: list[str] = []

    def copy(self) -> str:
        if PG_URL:
            name = f"{make_url(self.url).database}_{uuid.uuid4().hex[:8]}"
            with self.databases.admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name} TEMPLATE "
                                  f"{make_url(self.url).database}"))
            url = make_url(self.url).set(database=name).render_as_string(hide_password=False)
        else:
            source = make_url(self.url).database
            path = f"{source}.{uuid.uuid4().hex[:8]}"
            shutil.copyfile(source, path)
            url = f"sqlite:///{path}"
        self.copies.append(url)
        return url

    def drop(self, url: str) -> None:
        self.databases.drop(url)


@pytest.fixture(scope="module")
def world_dbs(databases):
    dbs = WorldDatabases(databases)
    yield dbs
    dbs.drop(dbs.url)


@pytest.fixture(scope="module")
def reading_app(world_dbs):
    """One app on the world database for the requests that only read."""
    app = create_app(_app_config(world_dbs.copy()))
    yield app
    app.extensions["db_engine"].dispose()


def build_path(rule: str, access: Access, world: dict, role: str, whose: str | None) -> str:
    """The URL of one case: objects and fixed values in the path, the ?org= query."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in FIXED_PARAMS:
            return FIXED_PARAMS[name]
        assert access.obj, (
            f"{rule}: say which object <{name}> names (Access(obj=...)) or give it a "
            "value in FIXED_PARAMS")
        return str(url_value(world, access.obj, role, whose or "other"))

    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, rule)
    if access.query:
        path += f"?{access.query}={url_value(world, 'org', role, whose or 'other')}"
    return path


@pytest.fixture(scope="module")
def writing_app(world_dbs):
    """One app on another copy of the world for the requests that write (rolled back)."""
    app = create_app(_app_config(world_dbs.copy()))
    yield app
    app.extensions["db_engine"].dispose()


@contextmanager
def rolled_back(app):
    """Run requests inside one outer transaction, rolled back afterwards.

    The app's sessions join it through savepoints, so their commits stay inside
    and the next case finds the world as it was.
    """
    engine = app.extensions["db_engine"]
    original = app.extensions["db_sessionmaker"]
    with engine.connect() as connection:
        outer = connection.begin()
        app.extensions["db_sessionmaker"] = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            app.extensions["db_sessionmaker"] = original
            outer.rollback()


def request_as(app, world: dict, role: str, method: str, path: str, access: Access):
    """Pages with a logged-in session; the API with the user's bearer token."""
    client = app.test_client()
    if path.startswith("/api/"):
        headers = {} if role == "anonymous" else {
            "Authorization": f"Bearer {world['bearer'][role, 'a']}"}
        return client.open(path, method=method, headers=headers,
                           json=access.json if method == "POST" else None)
    if role != "anonymous":
        with client.session_transaction() as sess:
            sess["_user_id"] = world["login_token"][role, "a"]
            sess["_fresh"] = True
    return client.open(path, method=method, data=access.form if method == "POST" else None)


def verdict(response, path: str) -> str | int:
    """What the answer means for access: 'anonymous' (sent to log in / 401), or a status."""
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/login?next=" in location:
        return "anonymous"
    if response.status_code == 401 and path.startswith("/api/"):
        return "anonymous"
    return response.status_code


@pytest.mark.parametrize("method,rule,role,whose", CASES)
def test_access(world_dbs, reading_app, writing_app, method, rule, role, whose):
    access = EXPECTED.get((method, rule))
    assert access is not None, (
        f"{method} {rule} has no line in EXPECTED (tests/routes/test_access_matrix.py): "
        "say who may use it")
    world = world_dbs.world
    path = build_path(rule, access, world, role, whose)
    if method == "GET":
        response = request_as(reading_app, world, role, method, path, access)
    else:
        with rolled_back(writing_app):
            response = request_as(writing_app, world, role, method, path, access)
    response.close()  # file answers (send_file) hold their file open until closed
    want = expected(access, role, whose)
    got = verdict(response, path)
    assert response.status_code < 500, f"{method} {path} as {role}: {response.status_code}"
    if want == "allow":
        refused = {401, 403, access.other_status} - access.ok
        assert got != "anonymous" and got not in refused, (
            f"{method} {path} as {role} ({whose}): expected allowed, got {response.status_code}")
    elif want == "anonymous":
        assert got == "anonymous", (
            f"{method} {path} anonymous: expected a login redirect / 401, got "
            f"{response.status_code} {response.headers.get('Location', '')}")
    else:
        assert got == want, (
            f"{method} {path} as {role} ({whose}): expected {want}, got {response.status_code}")


def test_the_table_has_no_stale_lines():
    """Every line of EXPECTED names a route that exists."""
    assert not set(EXPECTED) - set(ROUTES), sorted(set(EXPECTED) - set(ROUTES))


def test_matrix_size():
    """The size reported in the README: routes × roles × own/other objects."""
    assert len(CASES) >= len(ROUTES) * len(ROLES)
    print(f"access matrix: {len(ROUTES)} routes, {len(CASES)} cases")


def test_writes_are_rolled_back_between_cases(world_dbs, writing_app):
    """What a writing case did is gone for the next one (or the verdicts would leak)."""
    world = world_dbs.world
    create = Access(COORD, form={"code": "resto-leak", "name": "Leak", "kind": "restaurant"})
    with rolled_back(writing_app):
        response = request_as(writing_app, world, "coordinator", "POST", "/admin/orgs/new",
                              create)
        assert response.status_code == 302
    revoke = EXPECTED["POST", "/account/tokens/<int:token_id>/revoke"]
    token_id = world["token"]["restaurant", "a"]
    with rolled_back(writing_app):
        path = f"/account/tokens/{token_id}/revoke"
        assert request_as(writing_app, world, "restaurant", "POST", path,
                          revoke).status_code == 302
    with writing_app.app_context():
        session = get_session()
        assert session.scalar(text("SELECT count(*) FROM organisations "
                                   "WHERE code = 'resto-leak'")) == 0
        assert session.scalar(text("SELECT count(*) FROM api_tokens WHERE id = :id "
                                   "AND revoked_at IS NULL"), {"id": token_id}) == 1


# Public pages are left out: what anyone reads leaks nothing (the return points of
# every territory are listed to anyone on purpose: a box is returned in any territory).
LEAK_CASES = [case for case in CASES if case.values[0] == "GET"
              and case.values[2] == TERRITORIAL and case.values[3] != "away"
              and EXPECTED.get(tuple(case.values[:2]), Access(ANY)).who != PUBLIC]


def _readable(response) -> str:
    """The text of an answer: pages, JSON, CSV, and the members of a zip (the CSV
    report, an XLSX workbook); a PDF's text is compressed: not read here."""
    kind = response.headers.get("Content-Type", "")
    body = response.get_data()
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace")
                             for name in archive.namelist())
    if kind.startswith(("text/", "application/json", "application/ld+json", "image/svg")):
        return body.decode("utf-8", "replace")
    return ""


@pytest.mark.parametrize("method,rule,role,whose", LEAK_CASES)
def test_no_leak_to_a_territorial_coordinator(world_dbs, reading_app, method, rule, role,
                                              whose):
    """What the territorial coordinator reads names no member of another territory."""
    access = EXPECTED[method, rule]
    if expected(access, role, whose) != "allow":
        pytest.skip("refused: nothing to read")
    world = world_dbs.world
    path = build_path(rule, access, world, role, whose)
    response = request_as(reading_app, world, role, method, path, access)
    text_read = _readable(response)
    response.close()
    leaked = sorted(mark for mark in world["away_marks"] if mark in text_read)
    assert not leaked, f"{path} shows another territory's {leaked}"


def test_the_leak_check_reads_what_the_pages_show(world_dbs, reading_app):
    """The check above would pass on empty pages: the members list shows the home
    territory's members to its coordination, and both territories' to the nation's."""
    world = world_dbs.world
    listing = Access(COORD)
    home = request_as(reading_app, world, TERRITORIAL, "GET", "/admin/orgs", listing).text
    everyone = request_as(reading_app, world, "coordinator", "GET", "/admin/orgs",
                          listing).text
    assert "Restaurant-A" in home and AWAY.title() not in home
    assert "Restaurant-A" in everyone and AWAY.title() in everyone
