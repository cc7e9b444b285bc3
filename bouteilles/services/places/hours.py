"""Opening hours as members type them, read well enough to say "open now".

The hours are free French text: "mar.-sam. 11h30-14h, 18h30-22h",
"lun.-ven. 9h-17h", "du lundi au vendredi de 9h à 12h et de 14h à 18h",
"tous les jours 10h-19h", "lun.-sam. 9h-19h ; sam. 9h-12h". The reader knows
day names (short, with or without a dot, or whole), day ranges ("-", "au",
"à", wrapping over the week end) and lists (",", "et"), time ranges ("9h",
"11h30", "9:30", "9h00"; "19h-1h" runs past midnight), several ranges per
day, "fermé", and groups one after the other, a later group replacing the
hours of the days it names. Anything else makes the whole text unreadable:
then no badge is shown, rather than a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DAY = "|".join(f"{name}s?|{name[:3]}" for name in DAY_NAMES)
_CLOCK = r"(\d{1,2})(?:\s*[h:]\s*(\d{2})?)?"
# One token each: a time range, a day, every day, "closed", a word or sign that only
# joins the others.
_TOKEN = re.compile(rf"""
    (?P<time>{_CLOCK}\s*(?:-|à|a|au)\s*{_CLOCK})
  | (?P<all>tous\s+les\s+jours|tlj|7\s*j?\s*/\s*7|chaque\s+jour)
  | (?P<day>(?<![a-z])(?:{_DAY})(?![a-z])\.?)
  | (?P<closed>fermée?s?|fermeture)
  | (?P<to>-|(?:au|à)(?![a-z]))
  | (?P<join>[,;/|:]|(?:et|de|du|les|le)(?![a-z]))
  | (?P<space>\s+)
""", re.VERBOSE)
DAY_MINUTES = 24 * 60

Range = tuple[int, int]  # minutes since midnight, start and end (end ≤ start: past midnight)


@dataclass(frozen=True)
class Hours:
    """A week of opening hours: for each day (0 = Monday), its time ranges."""

    week: tuple[tuple[Range, ...], ...]

    def is_open(self, moment: datetime) -> bool:
        """Whether the place is open at this moment (an aware datetime, any zone)."""
        local = moment.astimezone(PARIS)
        day, minute = local.weekday(), local.hour * 60 + local.minute
        today = any(start <= minute < (end if end > start else DAY_MINUTES)
                    for start, end in self.week[day])
        spill = any(end <= start and minute < end for start, end in self.week[(day - 1) % 7])
        return today or spill


def _minutes(hour: str, minute: str | None) -> int | None:
    value = int(hour) * 60 + int(minute or 0)
    return value if int(hour) <= 24 and int(minute or 0) < 60 and value <= DAY_MINUTES else None


def _time_range(match: re.Match) -> Range | None:
    start = _minutes(match.group(2), match.group(3))
    end = _minutes(match.group(4), match.group(5))
    if start is None or end is None or start == end or start == DAY_MINUTES:
        return None
    return start, end


def _day_index(word: str) -> int:
    stem = word.rstrip(".")[:3]
    return next(i for i, name in enumerate(DAY_NAMES) if name.startswith(stem))


class _Reader:
    """Walks the tokens: days gather into a group until its times are read."""

    def __init__(self) -> None:
        self.week: list[list[Range]] = [[] for _ in DAY_NAMES]
        self.days: list[int] = []
        self.ranges: list[Range] = []
        self.closed = False
        self.last_day: int | None = None
        self.range_open = False  # a "-" or "au" after a day: the next day ends a range

    def day(self, index: int) -> None:
        if self.ranges or self.closed:
            self.end_group()
        if self.range_open and self.last_day is not None:
            span = (index - self.last_day) % 7
            self.days += [(self.last_day + step) % 7 for step in range(1, span + 1)]
            self.range_open = False
        else:
            self.days.append(index)
        self.last_day = index

    def every_day(self) -> None:
        if self.ranges or self.closed:
            self.end_group()
        self.days = list(range(7))

    def end_group(self) -> bool:
        """Write the group read so far over its days; False when it has no hours."""
        if not self.days or not (self.ranges or self.closed) or self.range_open:
            return False
        for index in self.days:
            self.week[index] = list(self.ranges)
        self.days, self.ranges, self.closed, self.last_day = [], [], False, None
        return True


def parse_hours(text: str | None) -> Hours | None:
    """The hours a text says, or None when it cannot be read entirely."""
    if not text or len(text) > 500:
        return None
    normalised = text.lower().replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    reader = _Reader()
    position = 0
    while position < len(normalised):
        match = _TOKEN.match(normalised, position)
        if match is None:
            return None
        position = match.end()
        kind = match.lastgroup
        if kind == "time":
            time_range = _time_range(match)
            if time_range is None or not reader.days:
                return None
            reader.ranges.append(time_range)
        elif kind == "day":
            reader.day(_day_index(match.group("day")))
        elif kind == "all":
            reader.every_day()
        elif kind == "closed":
            if not reader.days:
                return None
            reader.closed = True
        elif kind == "to":
            reader.range_open = reader.last_day is not None and not reader.ranges
    if not reader.end_group():
        return None
    return Hours(tuple(tuple(ranges) for ranges in reader.week))


def open_now(text: str | None, moment: datetime) -> bool | None:
    """Whether a place with these hours is open at `moment`; None: hours unreadable."""
    hours = parse_hours(text)
    return None if hours is None else hours.is_open(moment)
