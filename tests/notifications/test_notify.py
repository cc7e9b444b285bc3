"""`flask notify` through a real SMTP server: content, recipient, once; settings,
languages, the monthly report, a server down, a dry run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bouteilles.formatting import paris_date
from bouteilles.models import utcnow
from bouteilles.models.notification import Notification
from bouteilles.services.notifications.preferences import set_frequency
from bouteilles.services.periods import PARIS
from bouteilles.services.territories import create_territory

NOW = utcnow()  # one moment for the module: a daily message is keyed by its day


def paris_day(moment) -> str:
    return moment.astimezone(PARIS).date().isoformat()


def notify(runner, *args: str, now: datetime | str = NOW):
    moment = now if isinstance(now, str) else now.isoformat()
    return runner.invoke(args=["notify", "--now", moment, *args])


def sent(session, **where) -> list[Notification]:
    return list(session.scalars(select(Notification).filter_by(**where)))


def lend(scan, user, make_container, days: int) -> str:
    code = make_container(holder=user.org)
    scan(user, code, "lend", occurred_at=utcnow() - timedelta(days=days))
    return code


def test_overdue_mail_content_recipient_once(runner, session, smtp, actors, make_user,
                                             make_container, scan):
    resto = actors["restaurant"]
    old, older = (lend(scan, resto, make_container, days) for days in (20, 30))
    recent = lend(scan, resto, make_container, 2)
    elsewhere = make_user("restaurant")  # nothing overdue: nothing said
    result = notify(runner)
    assert result.exit_code == 0, result.output
    assert "overdue: 1 sent, 0 already sent, 0 failed" in result.output
    [mail] = smtp.to(resto.email)
    assert not smtp.to(elsewhere.email)
    assert mail["Subject"].strip() == "2 boîtes en retard chez les clients (plus de 14 jours)"
    assert mail["From"] == "Bouteilles <notifications@bouteilles.test>"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    day = paris_date(utcnow() - timedelta(days=30), "long")  # 5 novembre 2026
    for body in (text, html):
        assert old in body and older in body and recent not in body
        assert "5,00\u00a0€" in body and "10,00\u00a0€" in body and day in body
    assert text.index(older) < text.index(old)  # the oldest first
    unsubscribe = mail["List-Unsubscribe"].strip()
    assert unsubscribe.startswith("<http://bouteilles.test/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text and "http://bouteilles.test/account/notifications" \
        in text
    [row] = sent(session, kind="overdue")
    assert (row.user_id, row.key) == (resto.id, paris_day(NOW))
    assert row.subject == mail["Subject"].strip()
    assert row.body.split() == text.split()
    again = notify(runner)
    assert again.exit_code == 0 and "overdue: 0 sent, 1 already sent" in again.output
    assert len(smtp.to(resto.email)) == 1


def test_off_weekly_and_english(runner, session, smtp, actors, make_user, make_container,
                                scan):
    resto = actors["restaurant"]
    off, weekly = make_user(org=resto.org), make_user(org=resto.org)
    set_frequency(session, off, "overdue", "off")
    set_frequency(session, weekly, "overdue", "weekly")
    weekly.locale = "en"
    session.commit()
    lend(scan, resto, make_container, 20)
    assert notify(runner).exit_code == 0
    assert not smtp.to(off.email)
    [french], [english] = smtp.to(resto.email), smtp.to(weekly.email)
    assert english["Subject"].strip() == "1 box overdue with customers (more than 14 days)"
    assert "Total deposits" in english.get_body(("plain",)).get_content()
    assert "Total des consignes" in french.get_body(("plain",)).get_content()
    year, week, _ = NOW.astimezone(PARIS).isocalendar()
    assert {row.user_id: row.key for row in sent(session, kind="overdue")} == {
        resto.id: paris_day(NOW), weekly.id: f"{year}-W{week:02d}"}


def test_monthly_report_once_to_each_coordination(runner, session, smtp, actors, make_org,
                                                  make_user):
    national = actors["coordinator"]
    jura = create_territory(session, code="jura", name="Jura")
    session.commit()
    territorial = make_user(org=make_org("coordinator", territory_id=jura.id))
    resto = actors["restaurant"]
    first = notify(runner, now="2026-12-01T07:15")
    assert first.exit_code == 0, first.output
    assert "monthly_report: 2 sent" in first.output
    [whole], [local] = smtp.to(national.email), smtp.to(territorial.email)
    assert not smtp.to(resto.email)
    assert whole["Subject"].strip() == "Rapport d'impact de novembre 2026"
    assert local["Subject"].strip() == "Rapport d'impact de novembre 2026 (Jura)"
    [pdf] = local.iter_attachments()
    assert pdf.get_filename() == "impact-2026-11-jura.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert next(whole.iter_attachments()).get_filename() == "impact-2026-11.pdf"
    later = notify(runner, now="2026-12-17T07:15")
    assert later.exit_code == 0 and len(smtp.messages) == 2
    assert {row.key for row in sent(session, kind="monthly_report")} == {"2026-11"}


def test_smtp_down_records_nothing_and_a_rerun_sends(runner, session, smtp, mail_port, actors,
                                                     make_container, scan):
    resto = actors["restaurant"]
    lend(scan, resto, make_container, 20)
    mail_port(None)
    down = notify(runner)
    assert down.exit_code == 1
    assert "unreachable" in down.output and "overdue: 0 sent, 0 already sent, 1 failed" \
        in down.output
    assert session.scalar(select(func.count()).select_from(Notification)) == 0
    mail_port(smtp.port)
    assert notify(runner).exit_code == 0
    assert len(smtp.to(resto.email)) == 1 and len(sent(session, kind="overdue")) == 1


def test_dry_run_sends_nothing_and_no_server_is_said(app, runner, session, smtp, actors,
                                                     make_container, scan):
    resto = actors["restaurant"]
    lend(scan, resto, make_container, 20)
    dry = notify(runner, "--dry-run")
    assert dry.exit_code == 0
    assert f"would send overdue to {resto.email}: 1 boîte en retard" in dry.output
    assert "overdue: 1 to send" in dry.output
    app.config["MAIL_SERVER"] = ""
    unset = notify(runner)
    assert unset.exit_code == 1 and "MAIL_SERVER" in unset.output
    assert not smtp.messages
    assert session.scalar(select(func.count()).select_from(Notification)) == 0
