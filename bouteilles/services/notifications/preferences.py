"""Which notifications each user gets, and how often: the kinds of their member's
audience, daily unless they chose weekly or off (a monthly kind: on or off)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Organisation, User, utcnow
from ...models.notification import FREQUENCIES, NotificationSetting, StockThreshold
from ..errors import ValidationError
from .kinds import KINDS, Kind

DEFAULT_FREQUENCY = "daily"


def choices_of(kind: Kind) -> tuple[str, ...]:
    """The settings a user may pick for a kind: a monthly one is on ("daily") or off."""
    return ("daily", "off") if kind.monthly else FREQUENCIES


def kinds_for(session: Session, org: Organisation) -> list[Kind]:
    """The kinds a member's users may get, in the table's order."""
    with_threshold = session.scalar(
        select(StockThreshold.org_id).where(StockThreshold.org_id == org.id).limit(1))
    return [kind for kind in KINDS.values()
            if (kind.audience is None and with_threshold is not None)
            or (kind.audience is not None and org.kind in kind.audience)]


def frequencies_of(session: Session, user: User) -> dict[str, str]:
    """The user's setting for each kind they may get (no row: daily)."""
    stored = dict(session.execute(
        select(NotificationSetting.kind, NotificationSetting.frequency)
        .where(NotificationSetting.user_id == user.id)).all())
    return {kind.code: stored.get(kind.code, DEFAULT_FREQUENCY)
            for kind in kinds_for(session, user.org)}


def set_frequency(session: Session, user: User, kind: str, frequency: str) -> None:
    """Record how often the user gets a kind (one of `choices_of` the kind)."""
    if kind not in KINDS or frequency not in choices_of(KINDS[kind]):
        raise ValidationError(_l("Réglage de notification inconnu."))
    setting = session.get(NotificationSetting, (user.id, kind))
    if setting is None:
        session.add(NotificationSetting(user_id=user.id, kind=kind, frequency=frequency,
                                        updated_at=utcnow()))
    elif setting.frequency != frequency:
        setting.frequency, setting.updated_at = frequency, utcnow()
    session.flush()


def recipients(session: Session, kind: Kind) -> dict[str, dict[int, list[User]]]:
    """Who gets a kind, by frequency ("daily", "weekly") and by member: the active users
    of active members of its audience whose setting is not off."""
    query = (select(User, NotificationSetting.frequency)
             .join(Organisation, Organisation.id == User.org_id)
             .outerjoin(NotificationSetting, (NotificationSetting.user_id == User.id)
                        & (NotificationSetting.kind == kind.code))
             .where(User.active.is_(True), Organisation.active.is_(True), User.email != "")
             .order_by(User.id))
    if kind.audience is not None:
        query = query.where(Organisation.kind.in_(sorted(kind.audience)))
    found: dict[str, dict[int, list[User]]] = {}
    for user, frequency in session.execute(query):
        frequency = frequency or DEFAULT_FREQUENCY
        if frequency == "off":
            continue
        if kind.monthly:
            frequency = "daily"  # on: keyed by its month, whatever the period
        found.setdefault(frequency, {}).setdefault(user.org_id, []).append(user)
    return found
