"""Producers' labels: wash failures traced to the winegrower of each bottle's last fill,
the winegrower's own figures, and the coordination's "ne se lave pas" flag."""

from datetime import timedelta

import pytest

from bouteilles.db.database import get_session
from bouteilles.models import ProducerLabelFlag, utcnow
from bouteilles.services.movements import commission_containers, create_crate
from bouteilles.services.producers import grower_failures, producer_table
from bouteilles.services.territories import Scope, create_territory
from bouteilles.services.washing.batches import close_batch, open_batch


@pytest.fixture
def network(session, make_org, make_user, scan):
    """Two winegrowers of the Jura, their bottles washed at a Jura site: A 5 washed,
    1 rejected for its label; B 3 washed (one a bottle A filled before), 1 rejected for
    its label, and a crate of 10 rejected for residue at sorting."""
    jura = create_territory(session, code="jura", name="Jura")
    doubs = create_territory(session, code="doubs", name="Doubs")
    session.commit()
    org = {name: make_org(kind, name, territory_id=t.id) for name, kind, t in (
        ("grower-a", "winegrower", jura), ("grower-b", "winegrower", jura),
        ("site-jura", "washing_site", jura), ("coord-jura", "coordinator", jura),
        ("coord-doubs", "coordinator", doubs))}
    users = {name: make_user(o.kind, org=o) for name, o in org.items()}
    coordinator, site = users["coord-jura"], users["site-jura"]
    moment = iter(utcnow() - timedelta(hours=2) + timedelta(seconds=s) for s in range(1000))

    def at(user, code, action, **kw):
        return scan(user, code, action, occurred_at=next(moment), **kw)

    def bottles(grower, n):
        return [b.code for b in commission_containers(
            session, actor=coordinator, type_code="bouteille-75", count=n,
            holder_code=org[grower].code)]

    batch = open_batch(session, actor=site, type_code="bouteille-75")
    session.commit()
    a, b = bottles("grower-a", 5), bottles("grower-b", 3)
    for grower, codes in (("grower-a", a), ("grower-b", b[:2])):
        for code in codes:
            at(users[grower], code, "fill")
            at(site, code, "wash")
    at(site, a[0], "reject", reason="label")
    close_batch(session, batch, actor=site, clean=6, rejected={"label": 1},
                closed_at=next(moment))
    session.commit()
    # A bottle A filled and that came back clean: refilled by B, its label fails.
    at(users["grower-b"], a[4], "fill")
    open_batch(session, actor=site, type_code="bouteille-75")
    session.commit()
    at(site, a[4], "wash")
    at(site, a[4], "reject", reason="label")
    at(users["grower-b"], b[2], "fill")
    crate = create_crate(session, actor=coordinator, type_code="bouteille-75", quantity=10,
                         holder_code=org["grower-b"].code, state="clean").code
    session.commit()
    at(users["grower-b"], crate, "fill")
    at(site, crate, "sort", reason="residue")
    return {"org": org, "users": users}


def test_failures_are_traced_to_the_last_filler(session, network):
    org = network["org"]
    rows = {r.code: r.figures for r in producer_table(session, Scope(org["grower-a"]
                                                                     .territory_id))}
    a, b = rows["grower-a"], rows["grower-b"]
    assert (a.washed, a.failed, a.handled, a.reasons) == (5, 1, 5, {"label": 1})
    assert (b.washed, b.failed, b.handled) == (3, 11, 13)
    assert b.reasons == {"label": 1, "residue": 10} and b.main_reason == "residue"
    mine = grower_failures(session, org["grower-a"].id)
    assert (mine.recent.failed, mine.recent.handled) == (1, 5)
    assert mine.months[0].figures.failed == 1  # this month, first


def test_flag_by_an_administrator_of_the_territory(client, login, make_user, network):
    org, users = network["org"], network["users"]
    login(users["coord-jura"])
    table = client.get("/admin/producers/")
    assert table.status_code == 200
    assert "Grower-A" in table.text and "20,0" in table.text and "84,6" in table.text
    flagged = client.post("/admin/producers/grower-a/flag", data={"note": "Colle vinylique"})
    assert flagged.status_code == 302
    assert client.post("/admin/producers/grower-a/flag").status_code == 409

    login(users["grower-a"])
    assert "label-flag-notice" in client.get("/winegrower/").text
    page = client.get("/winegrower/labels/")
    assert 'id="label-flag"' in page.text and "Colle vinylique" in page.text
    assert "20,0" in page.text

    reader = make_user("coordinator", org=org["coord-jura"])
    reader.is_admin = False
    get_session().commit()
    for who in (reader, users["coord-doubs"]):
        login(who)
        assert client.post("/admin/producers/grower-a/unflag").status_code == 403
    assert client.get("/admin/producers/").status_code == 200  # Doubs: no Jura grower
    assert "Grower-A" not in client.get("/admin/producers/").text

    login(users["coord-jura"])
    assert client.post("/admin/producers/grower-a/unflag").status_code == 302
    kept = get_session().query(ProducerLabelFlag).one()
    assert kept.cleared_at is not None and kept.note == "Colle vinylique"
    login(users["grower-a"])
    assert 'id="label-flag"' not in client.get("/winegrower/labels/").text
