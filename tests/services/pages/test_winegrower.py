"""Winegrowers: availability, reservations by request, fulfilment by delivery, fills."""

import pytest

from bouteilles.services.errors import Conflict, Forbidden, ValidationError
from bouteilles.services.pages import winegrower
from bouteilles.services.washing.site import CodeRefused


@pytest.fixture
def site(actors):
    return actors["washing_site"]


@pytest.fixture
def grower(actors):
    return actors["winegrower"]


def clean_crate(make_crate, site, quantity, type_code="bouteille-75"):
    return make_crate(type_code=type_code, quantity=quantity, state="clean", holder=site.org)


def row_for(rows, site, type_code):
    return next(r for r in rows if r["site"].id == site.org_id and r["type"].code == type_code)


def test_request_reserves_stock(session, site, grower, make_crate):
    clean_crate(make_crate, site, 600)
    request = winegrower.create_request(session, actor=grower, site_code=site.org.code,
                                        type_code="bouteille-75", quantity=200)
    assert (request.status, request.reserved, request.delivered) == ("open", 200, 0)
    row = row_for(winegrower.availability(session, org_id=grower.org_id), site, "bouteille-75")
    assert (row["clean"], row["reserved"], row["reserved_mine"], row["available"]) == \
        (600, 200, 200, 400)


def test_request_checks_its_fields(session, site, grower, actors):
    with pytest.raises(ValidationError):
        winegrower.create_request(session, actor=grower, site_code=site.org.code,
                                  type_code="bocal-500", quantity=10)
    with pytest.raises(ValidationError):
        winegrower.create_request(session, actor=grower, site_code=actors["restaurant"].org.code,
                                  type_code="bouteille-75", quantity=10)
    with pytest.raises(ValidationError):
        winegrower.create_request(session, actor=grower, site_code=site.org.code,
                                  type_code="bouteille-75", quantity=0)
    with pytest.raises(Forbidden):
        winegrower.create_request(session, actor=site, site_code=site.org.code,
                                  type_code="bouteille-75", quantity=10)


def test_fulfil_by_delivering_crates(session, site, grower, make_crate):
    first, second = clean_crate(make_crate, site, 120), clean_crate(make_crate, site, 100)
    request = winegrower.create_request(session, actor=grower, site_code=site.org.code,
                                        type_code="bouteille-75", quantity=200)
    winegrower.fulfil_request(session, request, actor=site, codes=[first])
    assert (request.status, request.delivered, request.reserved) == ("open", 120, 80)
    winegrower.fulfil_request(session, request, actor=site, codes=[second])
    assert (request.status, request.delivered, request.reserved) == ("fulfilled", 220, 0)
    assert request.fulfilled_by_id == site.id and request.fulfilled_at is not None
    held = winegrower.held_by(session, grower.org_id)
    assert held == [{"holder": grower.org.code, "type": "bouteille-75", "state": "clean",
                     "count": 220}]
    with pytest.raises(Conflict):
        winegrower.fulfil_request(session, request, actor=site, codes=[first])


def test_fulfil_refuses_the_wrong_model_and_other_sites(session, site, grower, make_crate,
                                                         make_user):
    wrong = clean_crate(make_crate, site, 50, type_code="clavelin-62")
    dirty = make_crate(quantity=50, state="collected", holder=site.org)
    request = winegrower.create_request(session, actor=grower, site_code=site.org.code,
                                        type_code="bouteille-75", quantity=50)
    for code in (wrong, dirty):
        with pytest.raises(CodeRefused) as refused:
            winegrower.fulfil_request(session, request, actor=site, codes=[code])
        assert refused.value.text == code and isinstance(refused.value.cause, ValidationError)
    with pytest.raises(Forbidden):
        winegrower.fulfil_request(session, request, actor=make_user("washing_site"),
                                  codes=[wrong])


def test_cancel_releases_the_reservation(session, site, grower, make_user):
    request = winegrower.create_request(session, actor=grower, site_code=site.org.code,
                                        type_code="clavelin-62", quantity=30)
    with pytest.raises(Forbidden):
        winegrower.cancel_request(session, request, actor=make_user("winegrower"))
    winegrower.cancel_request(session, request, actor=grower)
    assert (request.status, request.reserved) == ("cancelled", 0)
    assert winegrower.reserved_totals(session) == {}


def test_fill_and_history(session, site, grower, make_crate, scan):
    code = clean_crate(make_crate, site, 60)
    scan(site, code, "deliver", to=grower.org.code)
    [crate] = winegrower.record_fills(session, actor=grower, codes=[code])
    assert crate.state == "in_use"
    actions = [e.action for e in session.scalars(winegrower.history_query(grower.org_id))]
    assert sorted(actions) == ["deliver", "fill"]
    with pytest.raises(Forbidden):
        winegrower.record_fills(session, actor=site, codes=[code])
