"""Event tableware loan pages: lend, check back, close, statement page and PDF."""

import re

import pytest

from bouteilles.db.database import get_session
from bouteilles.models import ContainerType


@pytest.fixture
def setup(session, actors, make_org, make_user):
    session.add(ContainerType(code="gobelet-25", name="Gobelet 25 cl", family="box",
                              mass_g=40, deposit_cents=100))
    organiser = make_org("event_organiser")
    borrower = make_user(org=organiser)
    session.commit()
    return actors["restaurant"], organiser, borrower


def test_lend_check_back_close_and_statement(client, login, setup):
    lender, organiser, borrower = setup
    login(lender)
    assert client.get("/loans/new").status_code == 200
    made = client.post("/loans/new", data={"borrower": organiser.code, "event_name": "Fête",
                                           "event_date": "2026-07-14", "qty-gobelet-25": "100"})
    assert made.status_code == 302
    url = made.headers["Location"]
    loan_id = int(re.search(r"/loans/(\d+)", url).group(1))
    page = client.get(url)
    assert page.status_code == 200 and "Fête" in page.text and "Gobelet 25 cl" in page.text
    saved = client.post(f"/loans/{loan_id}/check", data={
        "do": "save", "returned-gobelet-25": "90", "broken-gobelet-25": "3"})
    assert saved.status_code == 302
    page = client.get(url)
    assert "7 non comptés" in page.text and "3,00\u00a0€" in page.text
    refused = client.post(f"/loans/{loan_id}/check", data={
        "do": "close", "returned-gobelet-25": "90", "broken-gobelet-25": "3"})
    assert refused.status_code == 422 and "pas compté" in refused.text
    assert 'value="90"' in refused.text
    too_many = client.post(f"/loans/{loan_id}/check", data={
        "do": "save", "returned-gobelet-25": "99", "broken-gobelet-25": "3"})
    assert too_many.status_code == 422 and 'value="99"' in too_many.text
    closed = client.post(f"/loans/{loan_id}/check", data={
        "do": "close", "returned-gobelet-25": "90", "broken-gobelet-25": "3",
        "missing-gobelet-25": "7"})
    assert closed.status_code == 302
    page = client.get(url)
    assert "clôturé" in page.text and "10,00\u00a0€" in page.text and "Clôturer" not in page.text
    pdf = client.get(f"/loans/{loan_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    # The borrower sees the statement, not the form.
    login(borrower)
    assert client.get("/loans/").status_code == 200
    page = client.get(url)
    assert page.status_code == 200 and "10,00\u00a0€" in page.text
    assert client.get(f"/loans/{loan_id}.pdf").status_code == 200
    assert client.post(f"/loans/{loan_id}/check", data={"do": "save"}).status_code == 403
    assert client.get("/loans/new").status_code == 403


def test_new_loan_refusal_keeps_what_was_typed(client, login, setup):
    lender, organiser, _ = setup
    login(lender)
    refused = client.post("/loans/new", data={"borrower": organiser.code, "event_name": "Bal",
                                              "qty-gobelet-25": "douze", "note": "salle B"})
    assert refused.status_code == 422
    assert 'value="douze"' in refused.text and 'value="Bal"' in refused.text
    assert "salle B" in refused.text
    bad_date = client.post("/loans/new", data={"borrower": organiser.code, "event_name": "Bal",
                                               "event_date": "14/07", "qty-gobelet-25": "5"})
    assert bad_date.status_code == 422 and "14/07" in bad_date.text
    nothing = client.post("/loans/new", data={"event_name": "Bal"})
    assert nothing.status_code == 422


def test_strangers_do_not_see_a_loan(client, login, setup, make_user, actors):
    lender, organiser, _ = setup
    login(lender)
    url = client.post("/loans/new", data={"borrower": organiser.code, "event_name": "Fête",
                                          "qty-gobelet-25": "10"}).headers["Location"]
    stranger = make_user("restaurant")
    get_session().commit()
    login(stranger)
    assert client.get(url).status_code == 404
    assert client.get(url + ".pdf").status_code == 404
    login(actors["coordinator"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("kind", ["washing_site", "collector", "winegrower", "collection_point"])
def test_other_roles_are_refused(client, login, actors, kind):
    user = actors[kind]
    get_session().commit()
    login(user)
    assert client.get("/loans/").status_code == 403
    assert client.get("/loans/new").status_code == 403
    assert client.get("/loans/1").status_code == 403
