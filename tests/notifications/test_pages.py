"""The notification pages: the list and its settings, reading one, unsubscribing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bouteilles.models import utcnow
from bouteilles.models.notification import Notification, NotificationSetting


def frequency(session, user, kind: str) -> str | None:
    return session.scalar(select(NotificationSetting.frequency).filter_by(user_id=user.id,
                                                                          kind=kind))


def overdue_mail(runner, smtp, user, make_container, scan):
    """A box of the user's restaurant lent 20 days ago, `flask notify` run: its mail."""
    code = make_container(holder=user.org)
    scan(user, code, "lend", occurred_at=utcnow() - timedelta(days=20))
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    [mail] = smtp.to(user.email)
    return mail


def test_list_read_and_settings(client, runner, session, smtp, actors, login, make_user,
                                make_container, scan):
    resto = actors["restaurant"]
    overdue_mail(runner, smtp, resto, make_container, scan)
    [row] = session.scalars(select(Notification).filter_by(user_id=resto.id))
    login(resto)
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert "1 boîte en retard chez les clients" in page.text and "non lu" in page.text
    assert "Boîtes déclarées perdues" in page.text  # a lender's kinds, not the others'
    assert "Rapport d'impact mensuel" not in page.text and "Stock propre bas" not in page.text
    one = client.get(f"/account/notifications/{row.id}")
    assert one.status_code == 200 and "Total des consignes" in one.text
    session.refresh(row)
    assert row.read_at is not None
    saved = client.post("/account/notifications", data={"overdue": "weekly", "lost": "off"})
    assert saved.status_code == 302
    assert (frequency(session, resto, "overdue"), frequency(session, resto, "lost")) == (
        "weekly", "off")
    refused = client.post("/account/notifications", data={"overdue": "hourly", "lost": "off"})
    assert refused.status_code == 422 and "Choisissez dans la liste" in refused.text
    login(make_user("restaurant"))
    assert client.get(f"/account/notifications/{row.id}").status_code == 404


def test_unsubscribe_link(client, make_app, runner, session, smtp, actors, make_container,
                          scan):
    resto = actors["restaurant"]
    mail = overdue_mail(runner, smtp, resto, make_container, scan)
    path = mail["List-Unsubscribe"].strip().strip("<>").removeprefix("http://bouteilles.test")
    page = client.get(path)  # no login: the signed link is the key
    assert page.status_code == 200 and "Vous ne recevrez plus ce message" in page.text
    assert frequency(session, resto, "overdue") == "off"
    assert client.post(path + "/resubscribe").status_code == 200
    assert frequency(session, resto, "overdue") == "daily"
    assert client.get(path[:-2] + "xx").status_code == 404
    assert client.get("/unsubscribe/WzEsIm92ZXJkdWUiXQ").status_code == 404
    # A mail program's one-click POST (RFC 8058) carries no CSRF token.
    strict = make_app(WTF_CSRF_ENABLED=True).test_client()
    one_click = strict.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert frequency(session, resto, "overdue") == "off"
