"""Months and days that people and clients send: one parser for each.

Both accept the years 2000 to 2099 only. The network's records start in the
2020s, so a date outside these years is a typo; and inside them a month's
bounds, the twelve months before it and the day after a day are all dates
that Python and both databases can hold (year 9999 or 0001 are not).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ..models import utcnow
from .errors import ValidationError

# The network's time zone: its days, months and opening hours are Paris's.
PARIS = ZoneInfo("Europe/Paris")

FIRST_YEAR, LAST_YEAR = 2000, 2099
FIRST_MONTH, LAST_MONTH = f"{FIRST_YEAR}-01", f"{LAST_YEAR}-12"
FIRST_DAY, LAST_DAY = f"{FIRST_YEAR}-01-01", f"{LAST_YEAR}-12-31"
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_month(text: object) -> str:
    """A YYYY-MM month of the years served, as given; else a ValidationError (422)."""
    match = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(_l("Mois invalide « %(month)s » : attendu AAAA-MM.",
                                 month=str(text)[:20]))
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise ValidationError(_l("Mois hors période « %(month)s » : de %(first)s à %(last)s.",
                                 month=text, first=FIRST_MONTH, last=LAST_MONTH))
    return text


def parse_day(text: object) -> date:
    """A YYYY-MM-DD day of the years served; else a ValidationError (422)."""
    day = None
    if isinstance(text, str) and _DAY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:  # 2026-02-30
            day = None
    if day is None:
        raise ValidationError(_l("Date invalide « %(day)s » : attendu AAAA-MM-JJ.",
                                 day=str(text)[:40]))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(_l("Date hors période « %(day)s » : du %(first)s au %(last)s.",
                                 day=text, first=FIRST_DAY, last=LAST_DAY))
    return day


def paris_today(now: datetime | None = None) -> date:
    """Today's date in Europe/Paris (the network's day, whatever the server's zone)."""
    return (now or utcnow()).astimezone(PARIS).date()
