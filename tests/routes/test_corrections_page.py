"""The coordination's item page: an item's latest event reverted with a reason, a
damaged label replaced."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import select

from bouteilles.models import Container, Event


def _scan(client, headers, code, action, **more):
    answer = client.post("/api/v1/scans", headers=headers, json={
        "code": code, "action": action, "idempotency_key": uuid4().hex, **more})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_an_admin_reverts_a_mistaken_reject_from_the_item_page(
        client, session, login, actors, token_for, make_container):
    site = actors["washing_site"]
    code = make_container(holder=site.org)
    headers = token_for(site)
    _scan(client, headers, code, "collect")
    reject = _scan(client, headers, code, "reject", reason="broken")
    login(actors["coordinator"])
    page = client.get(f"/admin/items/{code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Annuler ce mouvement" in text and "Écarter" in text
    missing = client.post(f"/admin/items/{code}/undo",
                          data={"event_id": reject["event"]["id"], "reason": ""})
    assert missing.status_code == 422
    done = client.post(f"/admin/items/{code}/undo",
                       data={"event_id": reject["event"]["id"], "reason": "pas cassée"})
    assert done.status_code == 302
    box = session.scalars(select(Container).where(Container.code == code)).one()
    assert box.state == "collected"
    undo = session.scalars(select(Event).where(Event.action == "undo")).one()
    assert undo.detail == {"reason": "pas cassée"}
    session.rollback()
    # An undo is not undone: scanning again redoes the move.
    again = client.post(f"/admin/items/{code}/undo",
                        data={"event_id": undo.id, "reason": "encore"})
    assert again.status_code == 422
    assert "scannez de nouveau" in again.get_data(as_text=True)


def test_an_old_event_is_refused_with_the_reason_kept_on_screen(
        client, login, actors, token_for, make_container):
    code = make_container()
    resto = token_for(actors["restaurant"])
    lend = _scan(client, resto, code, "lend")
    _scan(client, resto, code, "return")
    login(actors["coordinator"])
    refused = client.post(f"/admin/items/{code}/undo",
                          data={"event_id": lend["event"]["id"], "reason": "erreur"})
    assert refused.status_code == 422
    assert 'value="erreur"' in refused.get_data(as_text=True)


def test_a_label_is_replaced_from_the_item_page(client, login, actors, make_container):
    code = make_container()
    login(actors["coordinator"])
    done = client.post(f"/admin/items/{code}/relabel", data={"new_code": ""})
    assert done.status_code == 302
    new = done.headers["Location"].rsplit("/", 1)[-1]
    assert new != code
    page = client.get(f"/admin/items/{code}").get_data(as_text=True)
    assert new in page and "remplacée" in page


def test_an_unknown_code_is_404(client, login, actors):
    login(actors["coordinator"])
    assert client.get("/admin/items/NOPE").status_code in (404, 422)
