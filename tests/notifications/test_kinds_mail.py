"""`flask notify` through the SMTP server for the kinds lost, pickups, orders and
low_stock: content, recipient, once."""

from __future__ import annotations

from datetime import timedelta

from markupsafe import escape
from sqlalchemy import select

from bouteilles.models import (
    BottleRequest,
    Container,
    ContainerType,
    PickupRequest,
    utcnow,
)
from bouteilles.services.stock_thresholds import set_thresholds
from bouteilles.services.territories import create_territory

NOW = utcnow()


def notify(runner, *options: str):
    result = runner.invoke(args=["notify", "--now", NOW.isoformat(), *options])
    assert result.exit_code == 0, result.output
    return result.output


def bodies(mail) -> tuple[str, str]:
    return (mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content())


def of_kind(smtp, address: str, subject_part: str) -> list:
    return [m for m in smtp.to(address) if subject_part in m["Subject"]]


def test_lost_mail_content_recipient_once(runner, session, smtp, actors, make_user,
                                          make_container, scan):
    resto, other = actors["restaurant"], make_user("restaurant")
    code = make_container(holder=resto.org)
    scan(resto, code, "lend", occurred_at=NOW - timedelta(days=61))
    kept = make_container(holder=other.org)
    scan(other, kept, "lend", occurred_at=NOW - timedelta(days=30))

    assert "would declare lost 1 boxes" in notify(runner, "--dry-run")
    assert session.scalar(select(Container.state).where(Container.code == code)) == "in_use"
    output = notify(runner)

    assert "declared lost: 1 boxes" in output and "lost: 1 sent" in output
    [mail] = of_kind(smtp, resto.email, "perdue")
    assert mail["Subject"].strip() == "1 boîte déclarée perdue : consigne conservée"
    assert not of_kind(smtp, other.email, "perdue")
    for body in bodies(mail):
        assert code in body and "5,00\u00a0€" in body and "remboursée" in body
    assert session.scalar(select(Container.state).where(Container.code == code)) == "lost"
    assert "lost: 0 sent, 1 already sent" in notify(runner)
    assert len(of_kind(smtp, resto.email, "perdue")) == 1


def test_pickups_mail_content_recipient_once(runner, session, smtp, make_user, make_org):
    jura = create_territory(session, code="jura", name="Jura")
    collector = make_user("collector")
    other = make_user("collector", org=make_org("collector", territory_id=jura.id))
    place = make_org("collection_point", address="2 place de la Liberté")
    session.add(PickupRequest(org_id=place.id, note="deux bacs", requested_at=NOW))
    session.commit()

    output = notify(runner)

    assert "pickups: 1 sent" in output
    [mail] = smtp.to(collector.email)
    assert mail["Subject"].strip() == "1 demande de collecte en attente"
    assert not smtp.to(other.email)
    for body in bodies(mail):
        assert place.name in body and "2 place de la Libert" in body and "deux bacs" in body
    assert "pickups: 0 sent, 1 already sent" in notify(runner)
    assert len(smtp.to(collector.email)) == 1


def test_orders_mail_content_recipient_once(runner, session, smtp, make_user, make_org):
    site, other = make_user("washing_site"), make_user("washing_site")
    grower = make_org("winegrower")
    bottle = session.scalar(select(ContainerType).where(ContainerType.code == "bouteille-75"))
    session.add(BottleRequest(org_id=grower.id, site_id=site.org_id, type_id=bottle.id,
                              quantity=1200, created_at=NOW - timedelta(days=2)))
    session.commit()

    output = notify(runner)

    assert "orders: 1 sent" in output
    [mail] = smtp.to(site.email)
    assert mail["Subject"].strip() == "1 commande à préparer"
    assert not smtp.to(other.email)
    for body in bodies(mail):
        assert grower.name in body and "1\u202f200" in body and bottle.name in body
    assert "orders: 0 sent, 1 already sent" in notify(runner)
    assert len(smtp.to(site.email)) == 1


def test_low_stock_mail_content_recipient_once(runner, session, smtp, actors, make_user,
                                               make_container):
    resto, other = actors["restaurant"], make_user("restaurant")
    make_container(holder=resto.org)
    box = session.scalar(select(ContainerType).where(ContainerType.code == "bocal-500"))
    set_thresholds(session, resto.org, {box.id: 30})
    set_thresholds(session, other.org, {box.id: 0})  # no alert
    session.commit()

    output = notify(runner)

    assert "low_stock: 1 sent" in output
    [mail] = smtp.to(resto.email)
    assert mail["Subject"].strip() == f"Stock propre bas : 1 {box.name} (seuil 30)"
    assert not smtp.to(other.email)
    text, html = bodies(mail)
    assert box.name in text and "seuil 30" in text and "#stock-alerts" in text
    assert str(escape(box.name)) in html and ">30<" in html
    assert "low_stock: 0 sent, 1 already sent" in notify(runner)
    assert len(smtp.to(resto.email)) == 1
