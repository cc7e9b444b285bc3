"""The pages' forms through the client: every fault at once, next to its field, in the
reader's language; limits shown before typing; what was typed kept; nothing cut."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bouteilles.db.database import get_session
from bouteilles.models import Organisation


@pytest.fixture
def coordinator(actors, login):
    return login(actors["coordinator"])


def _input(html: str, name: str) -> str:
    """The tag of the input, select or textarea named `name`."""
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>',
                      html)
    assert match, name
    return match.group(0)


def _error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>',
                      html, re.S)
    assert match, f"no error shown next to {field_id}"
    return match.group(1)


def test_every_fault_is_shown_at_once_next_to_its_field(client, coordinator):
    page = client.post("/admin/orgs/new", data={"code": "", "name": "x" * 201,
                                                 "kind": "vase", "address": "1 rue X"})
    assert page.status_code == 422
    html = page.text
    assert "obligatoire" in _error(html, "code")
    assert "200 caractères au plus" in _error(html, "name")
    assert "Choisissez dans la liste" in _error(html, "kind")
    for name in ("code", "name", "kind"):
        tag = _input(html, name)
        assert 'aria-invalid="true"' in tag and f'aria-describedby="{name}-error"' in tag
    assert 'aria-invalid' not in _input(html, "address")
    assert 'role="alert"' in html and "Corrigez les champs signalés" in html
    assert "Code « » invalide" not in html
    assert get_session().scalar(select(func.count(Organisation.id))) == 1  # the coordination


def test_a_long_name_is_refused_not_cut(client, coordinator):
    name = "Le Restaurant " + "très " * 40
    page = client.post("/admin/orgs/new", data={"code": "resto-long", "name": name,
                                                 "kind": "restaurant"})
    assert page.status_code == 422 and f'value="{name.strip()}"' in page.text
    assert get_session().scalar(select(Organisation).where(
        Organisation.code == "resto-long")) is None


def test_limits_are_written_into_the_inputs(client, coordinator):
    orgs = client.get("/admin/orgs/new").text
    assert 'maxlength="200"' in _input(orgs, "name") and "required" in _input(orgs, "name")
    assert 'maxlength="64"' in _input(orgs, "code")
    assert "required" not in _input(orgs, "address")
    types = client.get("/admin/types/new").text
    mass = _input(types, "mass_g")
    assert 'type="number"' in mass and 'min="1"' in mass and 'max="100000"' in mass
    assert 'inputmode="decimal"' in _input(types, "deposit_cents")


def test_a_day_shows_the_years_served(client, actors, login):
    login(actors["restaurant"])
    day = _input(client.get("/loans/new").text, "event_date")
    assert 'type="date"' in day and 'min="2000-01-01"' in day and 'max="2099-12-31"' in day


def test_numbers_and_hints(client, actors, login, session):
    from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch

    site = login(actors["washing_site"])
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, batch, actor=site, count=10)
    close_batch(session, batch, actor=site, clean=10, rejected={})
    session.commit()
    page = client.post(f"/washing/batches/{batch.id}/release", data={"size": "12,5"})
    assert page.status_code == 422
    assert "Un nombre entier" in _error(page.text, "size")
    size = _input(page.text, "size")
    assert 'aria-describedby="size-hint size-error"' in size and 'value="12,5"' in size
    assert 'id="size-hint"' in page.text


def test_a_service_refusal_heads_the_form_and_the_typing_stays(client, actors, login):
    login(actors["restaurant"])
    page = client.post("/restaurant/counter", data={"code": "ABCD-EFGH-Z", "action": "lend"})
    assert page.status_code == 422
    assert re.search(r'<div class="flash flash-error" role="alert" id="form-error">',
                     page.text)
    assert 'value="ABCD-EFGH-Z"' in _input(page.text, "code")
    no_button = client.post("/restaurant/counter", data={"code": "ABCD-EFGH-Z"})
    assert no_button.status_code == 422 and "Prêter" in no_button.text
    empty = client.post("/restaurant/counter", data={"code": " ", "action": "lend"})
    # (the plain form the counter keeps for a browser without JavaScript)
    assert "Tapez ou collez le code de la boîte" in _error(empty.text, "nojs-code")


def test_errors_in_english(client, coordinator):
    client.get("/?lang=en")
    page = client.post("/admin/orgs/new", data={"code": "", "name": "x" * 201,
                                                 "kind": "restaurant"})
    assert page.status_code == 422
    assert "This field is required." in _error(page.text, "code")
    assert "At most 200 characters (you typed 201)." in _error(page.text, "name")


def test_access_is_decided_before_the_form_is_checked(client, actors, login, session,
                                                      make_user):
    from bouteilles.services.washing.batches import open_batch

    batch = open_batch(session, actor=actors["washing_site"], type_code="bouteille-75")
    session.commit()
    login(make_user("washing_site"))
    assert client.post(f"/washing/batches/{batch.id}/close", data={}).status_code == 403
    login(actors["event_organiser"])  # a borrower reads loans, does not lend
    assert client.post("/loans/new", data={}).status_code == 403


NUL = "a\x00b"
TYPED = [  # (who, path, what was typed): every form field a NUL or an absurd value
    ("anonymous", "/login", {"email": NUL, "password": NUL}),
    ("coordinator", "/admin/orgs/new", {"code": NUL, "name": NUL, "kind": NUL,
                                        "address": NUL}),
    ("coordinator", "/admin/types/new", {"code": "t-1", "name": "T", "family": "box",
                                         "mass_g": "9" * 5000, "deposit_cents": "1e999999"}),
    ("coordinator", "/admin/users/new", {"email": NUL, "org": NUL, "name": NUL}),
    ("coordinator", "/admin/tokens", {"email": NUL, "label": NUL}),
    ("restaurant", "/restaurant/counter", {"code": NUL, "action": "lend", "key": NUL}),
    ("restaurant", "/loans/new", {"event_name": NUL, "event_date": NUL, "note": NUL}),
    ("restaurant", "/account/tokens", {"label": NUL}),
    ("collector", "/collector/scan", {"code": NUL, "action": "deliver", "to": NUL}),
    ("winegrower", "/winegrower/requests", {"type": NUL, "quantity": "²", "note": NUL}),
    ("winegrower", "/winegrower/fill", {"codes": NUL}),
    ("washing_site", "/washing/sort", {"mode": "crate", "crate": NUL, "reject_broken": "٣"}),
    ("washing_site", "/washing/receive", {"mode": "count", "type": NUL, "quantity": "1" * 40}),
    ("washing_site", "/labels", {"mode": "existing", "codes": NUL, "layout": NUL}),
]


@pytest.mark.parametrize("who,path,data", TYPED, ids=[path for _, path, _ in TYPED])
def test_nothing_typed_is_a_500(client, actors, login, who, path, data):
    if who != "anonymous":
        login(actors[who])
    page = client.post(path, data=data)
    assert page.status_code in (401, 422), (page.status_code, page.text[:300])
