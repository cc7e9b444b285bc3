"""Months and days that people and clients send: one parser for each.

Both accept the years 2000 to 2099 only. The network's records start in the
2020s, so a date outside these years is a typo; and inside them a month's
bounds, the twelve months before it and the day after a day are all dates
that Python and both databases can hold (year 9999 or 0001 are not).
"""

from __future__ import annotations

import re
from datetime import date

from .errors import ValidationError

FIRST_YEAR, LAST_YEAR = 2000, 2099
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_month(text: object) -> str:
    """A YYYY-MM month of the years served, as given; else a ValidationError (422)."""
    match = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValidationError("Mois invalide « {month} » : attendu AAAA-MM.",
                              month=str(text)[:20])
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise ValidationError("Mois hors période « {month} » : de {first} à {last}.",
                              month=text, first=f"{FIRST_YEAR}-01", last=f"{LAST_YEAR}-12")
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
        raise ValidationError("Date invalide « {day} » : attendu AAAA-MM-JJ.",
                              day=str(text)[:40])
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError("Date hors période « {day} » : du {first} au {last}.",
                              day=text, first=f"{FIRST_YEAR}-01-01", last=f"{LAST_YEAR}-12-31")
    return day
