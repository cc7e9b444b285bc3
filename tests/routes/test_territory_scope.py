"""A territory's coordination coordinates its territory only: members, users, tokens,
anomalies, objects, batches, loans, labels; the national one the whole network, and
it alone changes what the network shares (types, factor sets, issuer, territories)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bouteilles.models import (
    ApiToken,
    Container,
    Event,
    Label,
    Organisation,
    TerritoryDeposit,
    User,
)
from bouteilles.services.members.accounts import create_user, issue_token
from bouteilles.services.movements import commission_containers
from bouteilles.services.territories import create_territory
from bouteilles.services.washing.batches import open_batch


@dataclass
class Network:
    jura: object
    doubs: object
    national: User  # admin of the coordination without territory
    jura_admin: User
    jura_reader: User
    doubs_admin: User
    jura_resto: Organisation
    doubs_resto: Organisation
    jura_user: User
    doubs_user: User
    jura_box: str  # commissioned in the Jura, held by the Jura restaurant
    doubs_box: str  # commissioned in the Doubs, held by the Doubs restaurant
    travelling_box: str  # a Jura box held by the Doubs restaurant


def _user(session, org, *, admin: bool = False) -> User:
    user = create_user(session, email=f"{'admin' if admin else 'user'}@{org.code}.test",
                       org=org, password="marnes-tilleul-1774", admin=admin)
    session.commit()
    return user


def _boxes(session, actor: User, holder: Organisation, count: int = 1) -> list[str]:
    codes = [b.code for b in commission_containers(session, actor=actor, type_code="bocal-500",
                                                   count=count, holder_code=holder.code)]
    session.commit()
    return codes


@pytest.fixture
def net(session, make_org) -> Network:
    jura = create_territory(session, code="jura", name="Jura")
    doubs = create_territory(session, code="doubs", name="Doubs")
    session.commit()
    national = _user(session, make_org("coordinator", "reseau-national"), admin=True)
    coop_jura = make_org("coordinator", "coop-jura", territory_id=jura.id)
    coop_doubs = make_org("coordinator", "coop-doubs", territory_id=doubs.id)
    jura_admin = _user(session, coop_jura, admin=True)
    jura_reader = _user(session, coop_jura)
    doubs_admin = _user(session, coop_doubs, admin=True)
    jura_resto = make_org("restaurant", "resto-jura", territory_id=jura.id)
    doubs_resto = make_org("restaurant", "resto-doubs", territory_id=doubs.id)
    jura_box = _boxes(session, jura_admin, jura_resto)[0]
    doubs_box = _boxes(session, doubs_admin, doubs_resto)[0]
    travelling = _boxes(session, jura_admin, jura_resto)[0]
    # The Jura box goes to the Doubs restaurant (the record of where it is).
    box = session.scalar(select(Container).where(Container.code == travelling))
    box.holder_id = doubs_resto.id
    session.commit()
    return Network(jura, doubs, national, jura_admin, jura_reader, doubs_admin, jura_resto,
                   doubs_resto, _user(session, jura_resto), _user(session, doubs_resto),
                   jura_box, doubs_box, travelling)


def test_members_users_and_tokens_lists_are_the_territory_s(client, login, net, session):
    issue_token(session, net.jura_user, "caisse jura")
    issue_token(session, net.doubs_user, "caisse doubs")
    session.commit()
    login(net.jura_admin)
    orgs = client.get("/admin/orgs").text
    assert "Resto-Jura" in orgs and "Resto-Doubs" not in orgs and "Reseau-National" not in orgs
    users = client.get("/admin/users").text
    assert net.jura_user.email in users and net.doubs_user.email not in users
    tokens = client.get("/admin/tokens").text
    assert "caisse jura" in tokens and "caisse doubs" not in tokens
    login(net.national)
    orgs = client.get("/admin/orgs").text
    assert "Resto-Jura" in orgs and "Resto-Doubs" in orgs
    assert "caisse doubs" in client.get("/admin/tokens").text
    only_doubs = client.get("/admin/orgs?territory=doubs").text
    assert "Resto-Doubs" in only_doubs and "Resto-Jura" not in only_doubs


def test_another_territory_s_member_user_and_token_are_refused(client, login, net, session):
    token, _clear = issue_token(session, net.doubs_user, "caisse doubs")
    session.commit()
    login(net.jura_admin)
    assert client.get("/admin/orgs/resto-doubs").status_code == 403
    assert client.post("/admin/orgs/resto-doubs", data={"name": "Pris"}).status_code == 403
    assert client.post("/admin/orgs/resto-doubs/active", data={"active": "0"}).status_code == 403
    assert client.post(f"/admin/users/{net.doubs_user.id}/active",
                       data={"active": "0"}).status_code == 403
    assert client.post(f"/admin/users/{net.doubs_user.id}/reset").status_code == 403
    assert client.post(f"/admin/tokens/{token.id}/revoke").status_code == 403
    refused = client.post("/admin/tokens", data={"email": net.doubs_user.email, "label": "x"})
    assert refused.status_code == 403
    assert client.get("/admin/orgs?territory=doubs").status_code == 403
    session.expire_all()
    assert session.get(Organisation, net.doubs_resto.id).active
    assert session.get(ApiToken, token.id).revoked_at is None
    assert session.scalar(select(func.count(ApiToken.id))
                          .where(ApiToken.user_id == net.doubs_user.id)) == 1
    assert client.get("/admin/orgs/resto-jura").status_code == 200


def test_a_territory_creates_users_for_its_members_only(client, login, net, session):
    login(net.jura_admin)
    form = client.get("/admin/users/new").text
    assert 'value="resto-jura"' in form and 'value="resto-doubs"' not in form
    refused = client.post("/admin/users/new", data={"email": "new@doubs.test",
                                                    "org": "resto-doubs"})
    assert refused.status_code == 422
    assert session.scalar(select(User.id).where(User.email == "new@doubs.test")) is None
    made = client.post("/admin/users/new", data={"email": "new@jura.test", "org": "resto-jura"})
    assert made.status_code == 201
    login(net.national)
    assert 'value="resto-doubs"' in client.get("/admin/users/new").text


def test_a_territory_s_new_member_is_in_its_territory(client, login, net, session):
    login(net.jura_admin)
    form = client.get("/admin/orgs/new").text
    assert 'name="territory"' not in form
    response = client.post("/admin/orgs/new", data={
        "code": "resto-neuf", "name": "Le Neuf", "kind": "restaurant", "territory": "doubs"})
    assert response.status_code == 302
    org = session.scalar(select(Organisation).where(Organisation.code == "resto-neuf"))
    assert org.territory_id == net.jura.id
    assert 'name="territory"' not in client.get("/admin/orgs/resto-neuf").text


def test_the_national_admin_moves_a_member_and_its_rows(client, login, net, session):
    login(net.national)
    form = client.get("/admin/orgs/resto-jura").text
    assert 'name="territory"' in form and 'selected value="jura"' in form
    kept = client.post("/admin/orgs/resto-jura", data={"name": "Resto-Jura"})
    assert kept.status_code == 302  # a form without the select keeps the territory
    session.expire_all()
    assert session.get(Organisation, net.jura_resto.id).territory_id == net.jura.id
    response = client.post("/admin/orgs/resto-jura", data={"name": "Resto-Jura",
                                                           "territory": "doubs"})
    assert response.status_code == 302
    session.expire_all()
    org = session.get(Organisation, net.jura_resto.id)
    assert org.territory_id == net.doubs.id
    login(net.doubs_admin)
    assert client.get("/admin/orgs/resto-jura").status_code == 200
    login(net.national)
    client.post("/admin/orgs/resto-jura", data={"name": "Resto-Jura", "territory": ""})
    session.expire_all()
    assert session.get(Organisation, net.jura_resto.id).territory_id is None


def test_the_territory_select_fills_the_rows_recorded_before(client, login, net, make_org,
                                                            session):
    site = make_org("washing_site", "lavage-sans-territoire")
    site_user = _user(session, site)
    code = _boxes(session, site_user, site)[0]
    login(net.national)
    response = client.post("/admin/orgs/lavage-sans-territoire", data={
        "name": "Lavage", "territory": "jura"})
    assert response.status_code == 302
    session.expire_all()
    assert set(session.scalars(select(Event.territory_id).where(
        Event.org_id == site.id)).all()) == {net.jura.id}
    assert session.scalar(select(Container.territory_id).where(
        Container.code == code)) == net.jura.id
    login(net.jura_admin)
    assert client.get(f"/admin/items/{code}").status_code == 200


def test_territories_page_is_the_national_coordination_s(client, login, net, session):
    login(net.national)
    page = client.get("/admin/territories")
    assert page.status_code == 200 and "Jura" in page.text and "Doubs" in page.text
    made = client.post("/admin/territories", data={"code": "ain", "name": "Ain"})
    assert made.status_code == 302
    assert "Ain" in client.get("/admin/territories").text
    again = client.post("/admin/territories", data={"code": "ain", "name": "Ain"})
    assert again.status_code == 422 and "existe déjà" in again.text
    bad = client.post("/admin/territories", data={"code": "Pas bon", "name": ""})
    assert bad.status_code == 422
    login(net.jura_admin)
    assert client.get("/admin/territories").status_code == 403
    assert client.post("/admin/territories", data={"code": "x", "name": "X"}).status_code == 403


def test_items_of_another_territory_are_refused(client, login, net):
    login(net.jura_admin)
    assert client.get(f"/admin/items/{net.jura_box}").status_code == 200
    assert client.get(f"/admin/items/{net.doubs_box}").status_code == 403
    assert client.post(f"/admin/items/{net.doubs_box}/relabel", data={}).status_code == 403
    assert client.post(f"/admin/items/{net.doubs_box}/undo",
                       data={"event_id": "1", "reason": "erreur"}).status_code == 403
    # A Jura box held in the Doubs: both coordinations have it in hand.
    assert client.get(f"/admin/items/{net.travelling_box}").status_code == 200
    login(net.doubs_admin)
    assert client.get(f"/admin/items/{net.travelling_box}").status_code == 200
    assert client.get(f"/admin/items/{net.jura_box}").status_code == 403
    login(net.national)
    assert client.get(f"/admin/items/{net.doubs_box}").status_code == 200


def test_anomalies_and_audit_are_the_territory_s(client, login, net):
    login(net.jura_admin)
    audit = client.get("/admin/audit").text
    assert net.jura_box in audit and net.doubs_box not in audit
    assert client.get("/admin/audit?org=resto-doubs").status_code == 403
    for view in ("events", "overdue", "undelivered", "recounts", "counted"):
        response = client.get(f"/admin/anomalies?view={view}")
        assert response.status_code == 200, view
        assert "Resto-Doubs" not in response.text.split("<main")[1].split("f-org")[0], view
    assert client.get("/admin/anomalies?view=overdue&org=resto-doubs").status_code == 403
    dashboard = client.get("/admin/").text
    assert "Coordination — Jura" in dashboard and "/admin/territories" not in dashboard
    login(net.national)
    audit = client.get("/admin/audit").text
    assert net.jura_box in audit and net.doubs_box in audit
    assert "/admin/territories" in client.get("/admin/").text


def test_types_are_shared_and_each_territory_sets_its_deposit(client, login, net, session):
    login(net.jura_admin)
    page = client.get("/admin/types/bocal-500")
    assert page.status_code == 200 and "Consigne dans votre territoire" in page.text
    assert client.get("/admin/types/new").status_code == 403
    assert client.post("/admin/types/bocal-500", data={
        "name": "X", "family": "box", "mass_g": "1", "deposit_cents": "1"}).status_code == 403
    assert client.post("/admin/types/bocal-500/deposits/jura",
                       data={"deposit": "7,50"}).status_code == 302
    assert client.post("/admin/types/bocal-500/deposits/doubs",
                       data={"deposit": "1"}).status_code == 403
    assert client.post("/admin/types/bocal-500/deposits/nowhere",
                       data={"deposit": "1"}).status_code == 404
    bad = client.post("/admin/types/bocal-500/deposits/jura", data={"deposit": "-3"})
    assert bad.status_code == 422
    rows = session.scalars(select(TerritoryDeposit)).all()
    assert [(r.territory_id, r.deposit_cents) for r in rows] == [(net.jura.id, 750)]
    assert 'value="7.50"' in client.get("/admin/types/bocal-500").text
    assert "7,50" in client.get("/admin/types").text
    login(net.jura_reader)
    assert client.post("/admin/types/bocal-500/deposits/jura",
                       data={"deposit": "1"}).status_code == 403
    login(net.national)
    national_page = client.get("/admin/types/bocal-500").text
    assert "Consigne par territoire" in national_page and "7,50" in national_page
    login(net.jura_admin)
    assert client.post("/admin/types/bocal-500/deposits/jura",
                       data={"deposit": ""}).status_code == 302
    session.expire_all()
    assert session.scalars(select(TerritoryDeposit)).all() == []


def test_shared_settings_are_changed_nationally(client, login, net):
    login(net.jura_admin)
    assert client.get("/admin/report-issuer").status_code == 200
    assert client.post("/admin/report-issuer", data={"name": "Coop"}).status_code == 403
    assert client.get("/impact/factors/").status_code == 200
    assert client.get("/impact/factors/new").status_code == 403
    login(net.national)
    assert client.get("/impact/factors/new").status_code == 200


def test_labels_minted_by_a_territory_are_of_it(client, login, net, session):
    login(net.jura_admin)
    form = client.get("/labels").text
    assert 'value="resto-jura"' in form and 'value="resto-doubs"' not in form
    response = client.post("/labels", data={"mode": "new", "count": "2", "type": "bocal-500",
                                            "commission": "first_scan", "layout": "3x8"})
    assert response.status_code == 200, response.text[:500]
    minted = session.scalars(select(Label).where(Label.container_id.is_(None),
                                                 Label.crate_id.is_(None))).all()
    assert len(minted) == 2 and {lb.territory_id for lb in minted} == {net.jura.id}
    assert client.get(f"/labels/{net.doubs_box}.png").status_code == 403
    assert client.get(f"/labels/{net.jura_box}.png").status_code == 200
    login(net.doubs_admin)  # a Jura box one of its members holds: its label too
    assert client.get(f"/labels/{net.travelling_box}.svg").status_code == 200
    assert client.get(f"/labels/{net.jura_box}.svg").status_code == 403


def test_api_reads_of_a_territorial_coordinator(client, net, token_for):
    headers = token_for(net.jura_admin)
    stock = client.get("/api/v1/stock", headers=headers).get_json()["rows"]
    assert {row["holder"] for row in stock} == {"resto-jura"}
    assert client.get("/api/v1/stock?holder=resto-doubs", headers=headers).status_code == 403
    assert client.get("/api/v1/deposits?org=resto-doubs", headers=headers).status_code == 403
    own = client.get(f"/api/v1/items/{net.jura_box}", headers=headers).get_json()
    assert own["history_hidden"] is False
    other = client.get(f"/api/v1/items/{net.doubs_box}", headers=headers).get_json()
    assert other["history_hidden"] is True and other["history"] == []
    national = token_for(net.national)
    rows = client.get("/api/v1/stock", headers=national).get_json()["rows"]
    assert {row["holder"] for row in rows} == {"resto-jura", "resto-doubs"}


def test_batches_and_home_are_the_territory_s(client, login, net, make_org, session):
    jura_site = make_org("washing_site", "lavage-jura", territory_id=net.jura.id)
    doubs_site = make_org("washing_site", "lavage-doubs", territory_id=net.doubs.id)
    jura_batch = open_batch(session, actor=_user(session, jura_site), type_code="bocal-500")
    doubs_batch = open_batch(session, actor=_user(session, doubs_site), type_code="bocal-500")
    session.commit()
    login(net.jura_admin)
    listing = client.get("/washing/batches").text
    assert jura_batch.code in listing and doubs_batch.code not in listing
    assert client.get(f"/washing/batches/{jura_batch.id}").status_code == 200
    assert client.get(f"/washing/batches/{doubs_batch.id}").status_code == 403
    home = client.get("/").text
    assert "Territoire : Jura" in home and "Resto-Doubs" not in home
    login(net.national)
    assert client.get(f"/washing/batches/{doubs_batch.id}").status_code == 200


def test_loans_of_another_territory_are_hidden(client, login, net, make_org, session):
    from bouteilles.services.loans import create_loan
    from bouteilles.services.periods import paris_today
    organiser = make_org("event_organiser", "fete-doubs", territory_id=net.doubs.id)
    loan = create_loan(session, actor=net.doubs_user, borrower_code=organiser.code,
                       event_name="Fête", event_date=paris_today(), quantities={"bocal-500": 10})
    session.commit()
    login(net.jura_admin)
    assert client.get(f"/loans/{loan.id}").status_code == 404
    assert "Fête" not in client.get("/loans/").text
    assert 'value="fete-doubs"' not in client.get("/loans/new").text
    login(net.doubs_admin)
    assert client.get(f"/loans/{loan.id}").status_code == 200
