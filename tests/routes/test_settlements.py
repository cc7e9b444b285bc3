"""Settlements through the API and the pages: netted rows, marking paid, the monthly
statement (PDF), and the territories' limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium
import pytest

from bouteilles.db.database import get_session
from bouteilles.services.deposits import PARIS
from bouteilles.services.loans import close_loan, create_loan
from bouteilles.services.periods import paris_today
from bouteilles.services.territories import create_territory

NBSP = "\u00a0"


@pytest.fixture
def world(session, make_org, make_user, make_container, scan):
    """Two Jura restaurants (a owes b 5 € net last month: 10 € one way, 5 € the other),
    the Jura and Doubs coordinations, and a reader of the Jura's."""
    jura = create_territory(session, code="jura", name="Jura")
    doubs = create_territory(session, code="doubs", name="Doubs")
    session.commit()
    a = make_user(org=make_org("restaurant", "resto-a", territory_id=jura.id))
    b = make_user(org=make_org("restaurant", "resto-b", territory_id=jura.id))
    coop = make_org("coordinator", "coop-jura", territory_id=jura.id)
    reader = make_user(org=coop)
    reader.is_admin = False
    at = (datetime.now(UTC) - timedelta(days=35)).replace(hour=9)
    for lender, refunder in ((a, b), (a, b), (b, a)):
        code = make_container(holder=lender.org)
        scan(lender, code, "lend", occurred_at=at)
        scan(refunder, code, "return", occurred_at=at + timedelta(hours=1))
    session.commit()
    return {"a": a, "b": b, "jura": make_user(org=coop), "reader": reader,
            "doubs": make_user(org=make_org("coordinator", "coop-doubs",
                                            territory_id=doubs.id)),
            "month": at.astimezone(PARIS).strftime("%Y-%m")}


def _paid(month, **more):
    return {"month": month, "from": "resto-a", "to": "resto-b", "method": "transfer",
            "paid_on": paris_today().isoformat(), **more}


def test_the_api_lists_netted_settlements_and_marks_them_paid(client, world, token_for):
    month, a = world["month"], token_for(world["a"])
    listed = client.get(f"/api/v1/settlements?month={month}", headers=a).get_json()
    assert listed["in_progress"] is False
    assert listed["rows"] == [{"month": month, "from": "resto-a", "to": "resto-b",
                               "amount_cents": 500, "paid": None, "remaining_cents": 500,
                               "gross": {"from_to_cents": 1000, "to_from_cents": 500}}]
    deposits = client.get(f"/api/v1/deposits?month={month}", headers=a).get_json()
    assert deposits["settlements"] == [{k: v for k, v in listed["rows"][0].items()
                                        if k in ("from", "to", "amount_cents", "gross")}]

    refused = {  # (who, body) → status
        ("reader", "paid"): 403, ("doubs", "paid"): 403,
        ("a", "this month"): 409, ("a", "future"): 422, ("a", "bad"): 422,
    }
    bodies = {"paid": _paid(month),
              "this month": _paid(datetime.now(PARIS).strftime("%Y-%m")),
              "future": _paid(month, paid_on=(paris_today() + timedelta(days=2)).isoformat()),
              "bad": {"month": month, "from": "resto-a", "method": "bitcoin"}}
    for (who, body), status in refused.items():
        answer = client.post("/api/v1/settlements/paid", json=bodies[body],
                             headers=token_for(world[who]))
        assert answer.status_code == status, (who, body, answer.get_json())
        assert answer.get_json()["error"]["message"]
    marked = client.post("/api/v1/settlements/paid", headers=token_for(world["jura"]),
                         json=_paid(month, reference="VIR-2026-11"))
    assert marked.status_code == 201
    paid = marked.get_json()["paid"]
    assert paid["amount_cents"] == 500 and paid["by"] == "coop-jura"
    assert paid["reference"] == "VIR-2026-11" and paid["method"] == "transfer"
    again = client.post("/api/v1/settlements/paid", headers=a, json=_paid(month))
    assert again.status_code == 409
    seen = client.get(f"/api/v1/settlements?month={month}",
                      headers=token_for(world["b"])).get_json()["rows"][0]
    assert seen["paid"]["paid_on"] == paris_today().isoformat() and seen["remaining_cents"] == 0
    cancel = client.post("/api/v1/settlements/cancel", headers=a,
                         json={"month": month, "from": "resto-a", "to": "resto-b"})
    assert cancel.status_code == 200 and cancel.get_json()["paid"] is None


def test_another_territory_s_coordination_is_refused(client, world, token_for, login):
    month, doubs = world["month"], token_for(world["doubs"])
    assert client.get(f"/api/v1/settlements?month={month}&org=resto-a",
                      headers=doubs).status_code == 403
    assert client.get(f"/api/v1/settlements?month={month}",
                      headers=doubs).get_json()["rows"] == []
    login(world["doubs"])
    assert client.get(f"/settlements/statement/{month}.pdf?org=resto-a").status_code == 403
    assert "Resto-A" not in client.get(f"/admin/settlements?month={month}").text
    client.post("/logout")
    login(world["a"])
    assert client.get(f"/settlements/statement/{month}.pdf?org=resto-b").status_code == 403


def test_the_member_page_marks_paid_with_its_form(client, world, login):
    month = world["month"]
    get_session().commit()
    login(world["b"])
    page = client.get(f"/restaurant/settlements?month={month}")
    assert page.status_code == 200 and "Marquer comme payé" in page.text
    assert f"5,00{NBSP}€" in page.text and f"10,00{NBSP}€ dus dans ce sens" in page.text
    form = {"month": month, "payer": "resto-a", "payee": "resto-b", "back": "restaurant",
            "method": "cheque", "reference": "Chèque 0042"}
    future = (paris_today() + timedelta(days=1)).isoformat()
    refused = client.post("/settlements/paid", data={**form, "paid_on": future})
    assert refused.status_code == 422 and "Chèque 0042" in refused.text
    assert 'id="paid-on-1-error">Date de paiement' in refused.text  # next to its field
    done = client.post("/settlements/paid", data={**form, "paid_on": paris_today().isoformat()})
    assert done.status_code == 302 and done.location.startswith("/restaurant/settlements")
    page = client.get(done.location).text
    assert "Payé 5,00" in page and "chèque" in page and "Annuler la marque" in page
    client.post("/logout")
    login(world["reader"])  # the coordination's reader sees it, without a form
    page = client.get(f"/admin/settlements?month={month}")
    assert page.status_code == 200 and "Payé 5,00" in page.text
    assert "Annuler la marque" not in page.text
    assert client.post("/settlements/cancel", data=form).status_code == 403


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
    finally:
        pdf.close()


def test_the_monthly_statement(client, session, world, login, actors, token_for):
    month = world["month"]
    organiser = actors["event_organiser"]
    loan = create_loan(session, actor=world["a"], borrower_code=organiser.org.code,
                       event_name="Fête du Comté", quantities={"bocal-500": 4})
    close_loan(session, loan, actor=world["a"], counts={
        "bocal-500": {"returned": 2, "broken": 1, "missing": 1}})
    loan.closed_at = datetime.now(UTC) - timedelta(days=35)  # billed last month
    session.commit()
    client.post("/api/v1/settlements/paid", headers=token_for(world["b"]),
                json=_paid(month, method="cash"))
    login(world["a"])
    answer = client.get(f"/settlements/statement/{month}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = _pdf_text(answer.data)
    assert "Resto-A" in text and "Resto-B" in text and "Fête du Comté" in text
    # Deposits: 2 taken (10 €), 1 refunded (5 €); the settlement paid; the loan billed 10 €.
    assert "10,00 €" in text and "5,00 €" in text and "payé 5,00 €" in text
    assert "Solde en votre faveur : 10,00 €." in text
    client.post("/logout")
    login(world["jura"])  # the coordination, any member of its territory
    assert client.get(f"/settlements/statement/{month}.pdf?org=resto-b").status_code == 200
