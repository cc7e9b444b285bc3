"""Coordinator pages: members, users, tokens, container types, anomalies, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bouteilles.db.database import get_session
from bouteilles.models import ApiToken, ContainerType, ContainerTypeRevision, Event, utcnow
from bouteilles.services.members.accounts import user_for_token


@pytest.fixture
def coordinator(client, actors):
    user = actors["coordinator"]
    get_session().commit()
    client.post("/login", data={"email": user.email, "password": "marnes-tilleul-1774"})
    return user


def test_every_admin_list_renders(client, coordinator):
    for path in ("/admin/", "/admin/orgs", "/admin/users", "/admin/tokens", "/admin/types",
                 "/admin/anomalies", "/admin/audit", "/admin/orgs/new", "/admin/users/new",
                 "/admin/types/new", "/account/tokens", "/account/password"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<h1>" in response.text


def test_create_org_then_edit_hours_then_disable(client, coordinator):
    response = client.post("/admin/orgs/new", data={
        "code": "resto-neuf", "name": "Le Neuf", "kind": "restaurant",
        "address": "1 rue Neuve", "opening_hours": "lun. 12h-14h"})
    assert response.status_code == 302
    response = client.post("/admin/orgs/resto-neuf", data={
        "name": "Le Neuf", "address": "2 rue Neuve", "opening_hours": "mar. 12h-14h"})
    assert response.status_code == 302
    page = client.get("/admin/orgs/resto-neuf").text
    assert "2 rue Neuve" in page and "mar. 12h-14h" in page
    assert client.post("/admin/orgs/resto-neuf/active", data={"active": "0"}).status_code == 302
    assert "désactivée" in client.get("/admin/orgs?q=neuf").text


def test_refused_org_form_keeps_what_was_typed(client, coordinator):
    response = client.post("/admin/orgs/new", data={
        "code": "Pas Un Slug", "name": "Chez Moi", "kind": "restaurant",
        "address": "3 rue X"})
    assert response.status_code == 422
    assert 'value="Pas Un Slug"' in response.text and "Chez Moi" in response.text
    assert "3 rue X" in response.text and "invalide" in response.text


def test_org_list_paginates(client, coordinator, make_org):
    for n in range(25):
        make_org("restaurant", code=f"resto-page-{n:02d}")
    get_session().commit()
    first = client.get("/admin/orgs?q=resto-page")
    assert "Page 1 sur 2" in first.text and 'rel="next"' in first.text
    second = client.get("/admin/orgs?q=resto-page&page=2")
    assert "resto-page-24" in second.text and "q=resto-page" in first.text


def test_invite_shows_a_temporary_password_once_and_forces_a_change(app, client, coordinator,
                                                                    make_org):
    org = make_org("restaurant", code="resto-invite")
    get_session().commit()
    response = client.post("/admin/users/new", data={"email": "chef@invite.test",
                                                     "org": org.code, "name": "Chef"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    password = response.text.split('id="secret" class="secret" readonly value="')[1].split('"')[0]
    assert len(password) == 14
    newcomer = app.test_client()
    assert newcomer.post("/login", data={"email": "chef@invite.test",
                                         "password": password}).status_code == 302
    assert newcomer.get("/").headers["Location"].endswith("/account/password")
    short = newcomer.post("/account/password", data={"new": "court", "confirm": "court"})
    assert short.status_code == 422
    done = newcomer.post("/account/password", data={
        "current": password, "new": "glacier-ocre-lanterne", "confirm": "glacier-ocre-lanterne"})
    assert done.status_code == 302
    assert newcomer.get("/").status_code == 200


def test_reset_and_disable_a_user(app, client, coordinator, actors):
    user = actors["restaurant"]
    get_session().commit()
    response = client.post(f"/admin/users/{user.id}/reset")
    assert response.status_code == 200 and "Mot de passe provisoire" in response.text
    other = app.test_client()
    assert other.post("/login", data={"email": user.email,
                                      "password": "marnes-tilleul-1774"}).status_code == 401
    assert client.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 302
    assert client.post(f"/admin/users/{coordinator.id}/active",
                       data={"active": "0"}).status_code == 403


def test_tokens_created_once_listed_by_prefix_and_revoked(client, coordinator, actors):
    user = actors["washing_site"]
    get_session().commit()
    response = client.post("/admin/tokens", data={"email": user.email, "label": "laveuse 1"})
    assert response.status_code == 201
    clear = response.text.split('readonly value="')[1].split('"')[0]
    assert clear.startswith("btl_")
    listing = client.get("/admin/tokens").text
    assert clear[:10] in listing and "laveuse 1" in listing and clear not in listing
    headers = {"Authorization": f"Bearer {clear}"}
    assert client.get("/api/v1/stock", headers=headers).status_code == 200
    token_id = get_session().scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/stock", headers=headers).status_code == 401
    unknown = client.post("/admin/tokens", data={"email": "nobody@x.test", "label": "zz"})
    assert unknown.status_code == 422 and "zz" in unknown.text


def test_own_tokens_page(client, session, actors):
    user = actors["restaurant"]
    client.post("/login", data={"email": user.email, "password": "marnes-tilleul-1774"})
    response = client.post("/account/tokens", data={"label": "caisse"})
    assert response.status_code == 201
    clear = response.text.split('readonly value="')[1].split('"')[0]
    assert user_for_token(session, clear).id == user.id
    assert "caisse" in client.get("/account/tokens").text


def test_type_edits_keep_history(client, coordinator, session):
    response = client.post("/admin/types/new", data={
        "code": "gobelet-25", "name": "Gobelet 25 cl", "family": "box", "mass_g": "40",
        "volume_ml": "250", "deposit_cents": "1,00", "active": "1"})
    assert response.status_code == 302
    response = client.post("/admin/types/gobelet-25", data={
        "name": "Gobelet 25 cl", "family": "box", "mass_g": "42", "volume_ml": "250",
        "deposit_cents": "1.50", "active": "1"})
    assert response.status_code == 302
    ctype = session.scalar(select(ContainerType).where(ContainerType.code == "gobelet-25"))
    session.refresh(ctype)
    assert (ctype.mass_g, ctype.deposit_cents) == (42, 150)
    revisions = session.scalars(select(ContainerTypeRevision).where(
        ContainerTypeRevision.type_id == ctype.id).order_by(ContainerTypeRevision.id)).all()
    assert [r.action for r in revisions] == ["create", "update"]
    assert revisions[1].old_values == {"mass_g": 40, "deposit_cents": 100}
    assert revisions[1].new_values == {"mass_g": 42, "deposit_cents": 150}
    assert revisions[1].changed_by_id == coordinator.id
    page = client.get("/admin/types/gobelet-25").text
    assert "40 → 42" in page and coordinator.email in page


@pytest.mark.parametrize("field,value", [("mass_g", "abc"), ("mass_g", "0"),
                                         ("deposit_cents", "inf"), ("mass_g", "9" * 30),
                                         ("family", "vase")])
def test_bad_type_values_are_refused_with_the_form_kept(client, coordinator, field, value):
    data = {"name": "Bocal essai", "family": "box", "mass_g": "300", "volume_ml": "",
            "deposit_cents": "5", "active": "1", field: value}
    response = client.post("/admin/types/bocal-500", data=data)
    assert response.status_code == 422
    assert "Bocal essai" in response.text


def test_anomalies_list_each_kind_with_links(client, coordinator, actors, make_container,
                                             make_crate, scan, session):
    resto, collector = actors["restaurant"], actors["collector"]
    skipped = make_container(holder=resto.org)
    scan(resto, skipped, "return")  # returned but never lent: skipped_lend
    late = make_container(holder=resto.org)
    scan(resto, late, "lend", occurred_at=utcnow() - timedelta(days=40))
    crate = make_crate(quantity=100)
    picked = scan(collector, crate, "collect", quantity=96)
    picked.item.last_event_at = utcnow() - timedelta(days=3)  # as if picked up 3 days ago
    session.commit()
    events = client.get("/admin/anomalies?view=events").text
    assert skipped in events and "skipped_lend" in events and f"/q/{skipped}" in events
    overdue = client.get("/admin/anomalies?view=overdue").text
    assert late in overdue
    undelivered = client.get("/admin/anomalies?view=undelivered").text
    assert crate in undelivered
    recounts = client.get("/admin/anomalies?view=recounts").text
    assert crate in recounts and "-4" in recounts
    only_skips = client.get("/admin/anomalies?view=events&anomaly=skipped_lend").text
    assert skipped in only_skips and 'value="skipped_lend" selected' in only_skips
    assert crate not in client.get("/admin/anomalies?view=events&anomaly=skipped_lend").text
    filtered = client.get(f"/admin/anomalies?view=overdue&org={collector.org.code}").text
    assert late not in filtered
    dashboard = client.get("/admin/").text
    assert "Boîtes en retard" in dashboard


def test_audit_filters(client, coordinator, actors, make_container, scan, session):
    resto = actors["restaurant"]
    box = make_container(holder=resto.org)
    other = make_container(holder=resto.org)
    scan(resto, box, "lend")
    session.commit()
    by_code = client.get(f"/admin/audit?code={box}").text
    assert box in by_code and other not in by_code and "Mouvements : 2" in by_code
    by_action = client.get("/admin/audit?action=lend").text
    assert box in by_action and other not in by_action
    by_org = client.get(f"/admin/audit?org={resto.org.code}").text
    assert "Mouvements : 1" in by_org
    today = utcnow().date()
    dated = client.get(f"/admin/audit?from={today - timedelta(days=1)}&to={today}").text
    assert box in dated and other in dated
    assert "Mouvements : 0" in client.get("/admin/audit?to=2001-01-01").text
    total = session.query(Event).count()
    assert f"Mouvements : {total}" in client.get("/admin/audit").text


@pytest.mark.parametrize("query", ["from=hier", "from=2026-02-30", "code=%%%", "action=dance",
                                   "org=nobody", "from=2026-05-02&to=2026-05-01", "page=-3"])
def test_bad_filters_are_refused_not_500(client, coordinator, query):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code in (200, 404, 422)
    if response.status_code == 422:
        assert "<form" in response.text


def test_admin_pages_in_english(client, coordinator):
    client.get("/lang/en")
    page = client.get("/admin/").text
    assert "Dashboard" in page and "Overdue boxes" in page
    assert "Container types" in client.get("/admin/types").text
