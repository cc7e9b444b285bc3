"""Coordinator services: members, tokens, type history, anomalies and audit queries."""

from datetime import timedelta

import pytest

from bouteilles.models import utcnow
from bouteilles.services.errors import Conflict, Forbidden, ValidationError
from bouteilles.services.items.lookup import get_type
from bouteilles.services.members import management as admin
from bouteilles.services.members.accounts import authenticate, user_for_token
from bouteilles.services.oversight import watch as oversight
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch


def test_invited_user_has_a_temporary_password_until_changed(session, actors, make_org):
    org = make_org("restaurant")
    user, password = admin.invite_user(session, email="New@Resto.test", org=org, name=" Ana ",
                                       admin=False, actor=actors["coordinator"])
    assert user.email == "new@resto.test" and user.name == "Ana"
    assert authenticate(session, user.email, password) is user
    assert admin.must_change_password(session, user.id)
    with pytest.raises(ValidationError):
        admin.change_password(session, user, new="a-long-secret", confirm="another-one")
    admin.change_password(session, user, new="a-long-secret", confirm="a-long-secret")
    assert not admin.must_change_password(session, user.id)
    assert authenticate(session, user.email, "a-long-secret") is user


def test_temporary_passwords_are_random_and_unambiguous():
    seen = {admin.temporary_password() for _ in range(200)}
    assert len(seen) == 200
    assert not any(set(p) & set("0O1lI") for p in seen)


def test_reset_replaces_the_password(session, actors):
    user = actors["restaurant"]
    password = admin.reset_password(session, user, actor=actors["coordinator"])
    assert authenticate(session, user.email, "marnes-tilleul-1774") is None
    assert authenticate(session, user.email, password) is user
    assert admin.must_change_password(session, user.id)


def test_nobody_disables_themselves(session, actors):
    coordinator = actors["coordinator"]
    with pytest.raises(Forbidden):
        admin.set_user_active(session, coordinator, False, actor=coordinator)
    with pytest.raises(Forbidden):
        admin.set_org_active(session, coordinator.org, False, actor=coordinator)


def test_token_revocation_rules(session, actors):
    owner, stranger, coordinator = actors["restaurant"], actors["collector"], actors["coordinator"]
    token, clear = admin.create_token(session, owner, "  caisse  ")
    assert token.label == "caisse" and user_for_token(session, clear) is owner
    with pytest.raises(Forbidden):
        admin.revoke_token_as(session, token.id, actor=stranger)
    with pytest.raises(Forbidden):
        admin.revoke_token_as(session, token.id, actor=coordinator, own_only=True)
    admin.revoke_token_as(session, token.id, actor=coordinator)
    assert user_for_token(session, clear) is None
    listed = admin.list_tokens(session, page=1, user_id=owner.id)
    assert [t.id for t in listed.items] == [token.id]
    assert admin.list_tokens(session, page=1, user_id=owner.id, include_revoked=False).total == 0


def test_type_changes_are_recorded_and_past_batches_keep_their_impact(session, actors,
                                                                      make_crate):
    coordinator, site = actors["coordinator"], actors["washing_site"]
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, batch, actor=site, count=100)
    close_batch(session, batch, actor=site, clean=100, rejected={})
    before = (batch.co2e_avoided_g, batch.waste_avoided_g)
    ctype = get_type(session, "bouteille-75")
    old_mass = ctype.mass_g
    revision = admin.update_type(session, ctype, values={"mass_g": old_mass + 50},
                                 actor=coordinator)
    assert revision.old_values == {"mass_g": old_mass}
    assert revision.new_values == {"mass_g": old_mass + 50}
    assert admin.update_type(session, ctype, values={"mass_g": old_mass + 50},
                             actor=coordinator) is None  # nothing changed, nothing recorded
    session.refresh(batch)
    assert (batch.co2e_avoided_g, batch.waste_avoided_g) == before
    history = admin.type_history(session, ctype.id, page=1)
    assert history.total == 1 and history.items[0][1] == coordinator.email


@pytest.mark.parametrize("values", [{"mass_g": 0}, {"mass_g": 10**9}, {"family": "jar"},
                                    {"deposit_cents": -1}, {"name": "  "},
                                    {"volume_ml": 0}])
def test_bad_type_values_are_refused(session, actors, values):
    ctype = get_type(session, "bocal-500")
    with pytest.raises(ValidationError):
        admin.update_type(session, ctype, values=values, actor=actors["coordinator"])


def test_type_codes_are_unique(session, actors):
    values = {"name": "Bocal", "family": "box", "mass_g": 300, "volume_ml": 500,
              "deposit_cents": 500}
    with pytest.raises(Conflict):
        admin.create_type(session, code="bocal-500", values=values, actor=actors["coordinator"])


def test_overdue_and_undelivered_use_their_thresholds(session, actors, make_container,
                                                      make_crate, scan):
    resto, collector = actors["restaurant"], actors["collector"]
    box = make_container(holder=resto.org)
    scan(resto, box, "lend")
    crate = make_crate(quantity=50)
    scan(collector, crate, "collect")
    now = utcnow()
    assert oversight.overdue_boxes(session, overdue_days=14, page=1, now=now).total == 0
    later = now + timedelta(days=15)
    overdue = oversight.overdue_boxes(session, overdue_days=14, page=1, now=later)
    assert [row[0] for row in overdue.items] == [box]
    assert oversight.overdue_boxes(session, overdue_days=14, page=1, now=later,
                                   holder_id=collector.org_id).total == 0
    assert oversight.undelivered(session, page=1, now=now + timedelta(days=1)).total == 0
    late = oversight.undelivered(session, page=1, now=now + timedelta(days=3))
    assert [(row.code, row.kind, row.quantity) for row in late.items] == [(crate, "crate", 50)]


def test_recounts_and_anomaly_filters(session, actors, make_container, make_crate, scan):
    resto, collector = actors["restaurant"], actors["collector"]
    crate = make_crate(quantity=50)
    scan(collector, crate, "collect", quantity=47)
    box = make_container(holder=resto.org)
    scan(resto, box, "return")
    empty = oversight.EventFilter()
    recounts = oversight.recount_events(session, empty, page=1)
    assert [(e.code, e.quantity_delta) for e, *_ in recounts.items] == [(crate, -3)]
    flagged = oversight.anomaly_events(session, empty, page=1)
    assert {e.anomaly for e, *_ in flagged.items} >= {"skipped_lend", "recount"}
    only = oversight.anomaly_events(session, oversight.EventFilter(anomaly="skipped_lend"),
                                    page=1)
    assert [e.code for e, *_ in only.items] == [box]
    by_org = oversight.anomaly_events(session, oversight.EventFilter(org_id=collector.org_id),
                                      page=1)
    assert [e.code for e, *_ in by_org.items] == [crate]


def test_audit_pages_and_dates(session, actors, make_container):
    holder = actors["restaurant"].org
    codes = [make_container(holder=holder) for _ in range(25)]
    everything = oversight.audit_events(session, oversight.EventFilter(), page=1)
    assert everything.total == 25 and len(everything.items) == 20 and everything.pages == 2
    assert everything.items[0][0].code == codes[-1]  # newest first
    today = utcnow().date()
    past = oversight.EventFilter(date_to=today - timedelta(days=2))
    assert oversight.audit_events(session, past, page=1).total == 0
    with pytest.raises(ValidationError):
        oversight.audit_events(session, oversight.EventFilter(
            date_from=today, date_to=today - timedelta(days=1)), page=1)
    with pytest.raises(ValidationError):
        oversight.parse_day("31/12/2026")
