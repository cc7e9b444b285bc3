"""The collection run page: places waiting, pick up, what is held, deliver."""

import json
import re

import pytest

from bouteilles.db.database import get_session


@pytest.fixture
def waiting(actors, make_container, scan):
    resto = actors["restaurant"]
    codes = []
    for _ in range(2):
        code = make_container(holder=resto.org)
        scan(resto, code, "lend")
        scan(resto, code, "return")
        codes.append(code)
    actors["washing_site"]
    get_session().commit()
    return codes


def test_run_collect_and_deliver(client, login, actors, waiting):
    van, resto, site = actors["collector"], actors["restaurant"], actors["washing_site"]
    get_session().commit()
    login(van)
    page = client.get("/collector/")
    assert page.status_code == 200
    assert resto.org.name in page.text and "2 à prendre" in page.text
    picked = client.post("/collector/scan", data={"code": waiting[0], "action": "collect",
                                                  "key": "c-1"})
    assert picked.status_code == 302
    page = client.get(picked.headers["Location"])
    assert "Collecté" in page.text and waiting[0] in page.text
    assert "Dans le camion" in page.text and "collecté il y a" in page.text
    assert "1 à prendre" in page.text
    delivered = client.post("/collector/scan", data={"code": waiting[0], "action": "deliver",
                                                     "to": site.org.code})
    assert delivered.status_code == 302
    page = client.get(delivered.headers["Location"])
    assert "Livré" in page.text and "Rien en attente de livraison" in page.text
    client.post("/collector/scan", data={"code": waiting[1], "action": "collect"})
    done = client.post("/collector/deliver-all", data={"to": site.org.code})
    assert done.status_code == 302
    assert "1 livraison enregistrée." in client.get(done.headers["Location"]).text


def test_refusals_keep_the_code(client, login, actors, waiting):
    login(actors["collector"])
    typo = client.post("/collector/scan", data={"code": "ZZZZ-ZZZZ-Z", "action": "collect"})
    assert typo.status_code == 422 and "ZZZZ-ZZZZ-Z" in typo.text
    odd = client.post("/collector/scan", data={"code": waiting[0], "action": "wash"})
    assert odd.status_code == 422
    nowhere = client.post("/collector/scan", data={"code": waiting[0], "action": "deliver",
                                                   "to": "nowhere"})
    assert nowhere.status_code == 422 and waiting[0] in nowhere.text
    nothing = client.post("/collector/deliver-all", data={"to": actors["washing_site"].org.code})
    assert nothing.status_code == 422 and "Rien à livrer" in nothing.text


@pytest.mark.parametrize("kind", ["restaurant", "washing_site", "winegrower", "coordinator",
                                  "event_organiser", "collection_point"])
def test_other_roles_are_refused(client, login, actors, kind):
    get_session().commit()
    login(actors[kind])
    assert client.get("/collector/").status_code == 403
    assert client.post("/collector/scan", data={"code": "x", "action": "collect"}).status_code \
        == 403


def test_run_page_carries_the_components_config(client, login, actors):
    van, site = actors["collector"], actors["washing_site"]
    get_session().commit()
    login(van)
    page = client.get("/collector/")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    config = json.loads(re.search(
        r'<script type="application/json" id="counter-config">(.*?)</script>', page.text, re.S)[1])
    assert config["actions"] == ["collect", "deliver"]
    assert config["suggested"] == {"in_use": "collect", "returned": "collect",
                                   "collected": "deliver"}
    assert config["needs_destination"] == ["deliver"]  # a collect goes into the van
    assert [org["code"] for org in config["destinations"]] == [site.org.code]
    # What a washing site holds is moved by the site alone: nothing proposed on it.
    assert config["not_from"] == {"collect": [site.org.code], "deliver": [site.org.code]}
    assert config["noun"] == "item" and config["labels"]["done"]["collect"] == "Collecté"
