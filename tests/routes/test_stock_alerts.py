"""A member's stock alerts on its page: set, cleared by a blank, refused clearly."""

from __future__ import annotations

from sqlalchemy import select

from bouteilles.models import ContainerType, StockThreshold


def _type_id(session, code: str) -> int:
    return session.scalar(select(ContainerType.id).where(ContainerType.code == code))


def _minimums(session, org_id: int) -> dict[int, int]:
    session.rollback()
    return dict(session.execute(select(StockThreshold.type_id, StockThreshold.minimum)
                                .where(StockThreshold.org_id == org_id)).all())


def test_a_restaurant_sets_clears_and_mistypes_a_threshold(client, session, login, actors):
    user = login(actors["restaurant"])
    box = _type_id(session, "bocal-500")
    page = client.get("/restaurant/").get_data(as_text=True)
    assert "Alertes de stock" in page and f'name="min_{box}"' in page

    answer = client.post("/restaurant/stock-alerts", data={f"min_{box}": "30"})
    assert answer.status_code == 302 and answer.location.endswith("#stock-alerts")
    assert _minimums(session, user.org_id) == {box: 30}
    assert 'value="30"' in client.get("/restaurant/").get_data(as_text=True)

    refused = client.post("/restaurant/stock-alerts", data={f"min_{box}": "trente"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Un nombre entier" in text and 'value="trente"' in text
    assert client.post("/restaurant/stock-alerts",
                       data={f"min_{box}": "-3"}).status_code == 422
    assert _minimums(session, user.org_id) == {box: 30}

    assert client.post("/restaurant/stock-alerts", data={f"min_{box}": ""}).status_code == 302
    assert _minimums(session, user.org_id) == {}


def test_a_winegrower_sets_one_for_its_bottles(client, session, login, actors):
    user = login(actors["winegrower"])
    bottle = _type_id(session, "bouteille-75")
    assert client.post("/winegrower/stock-alerts",
                       data={f"min_{bottle}": "500"}).status_code == 302
    assert _minimums(session, user.org_id) == {bottle: 500}
    page = client.get("/winegrower/").get_data(as_text=True)
    assert 'value="500"' in page
