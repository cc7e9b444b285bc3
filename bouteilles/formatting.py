"""Numbers, money, masses, dates and times for people, written by Babel.

Every figure and moment that a page, a message or a PDF shows goes through
here: in the reader's locale (`i18n.get_locale()`: the request's, French
outside one; or the `locale` given) and, for moments, in Europe/Paris, the
network's time zone (`services/deposits.PARIS`, Flask-Babel's default too).
The JSON API stays machine-readable (numbers, ISO 8601 in UTC) and does not
use this module; the CSV and XLSX downloads (`reports/`) write Paris times and
units for a French spreadsheet.

Babel is called directly rather than through Flask-Babel's `format_*`: a
caller may name the locale (tests, a document in a set language), the command
line formats outside a request, and the app's "en" is written the European
way (`BABEL_LOCALES`).
Roundings, and why: docs/decisions.md, "Numbers and dates".
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import NumberPattern, format_currency
from babel.units import format_unit
from flask import Flask

from .i18n import get_locale
from .services.deposits import PARIS

# The app's locales as Babel writes them. English is read here by people living
# in France: day before month, 24-hour clock (en_GB), euros as €1,234.50.
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
NONE = "—"
MONTH_SKELETONS = {"long": "yMMMM", "short": "yMMM", "abbr": "MMM"}
# Masses: up to this many grams in g, then kg up to 10 t, then t.
GRAMS_UP_TO, KILOGRAMS_UP_TO = 1_000, 10_000_000
SIGNIFICANT = 3  # digits kept past which a mass has no decimals


def babel_locale(locale: str | None = None) -> Locale:
    """The Babel locale for an app locale (default: the request's, French outside one)."""
    locale = locale or get_locale()
    return _parsed(BABEL_LOCALES.get(locale, locale))


@cache
def _parsed(identifier: str) -> Locale:
    return Locale.parse(identifier)


def _decimal(value: int | float | Decimal | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _rounded(value: Decimal, places: int) -> Decimal:
    """Half away from zero, as the impact figures are rounded; never "-0"."""
    result = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result


@cache
def _pattern(kind: str, identifier: str, places: int | None) -> NumberPattern:
    """The locale's decimal or percent pattern, with exactly `places` decimals."""
    locale = _parsed(identifier)
    pattern = (locale.percent_formats if kind == "percent" else locale.decimal_formats)[None]
    if places is None:
        return pattern
    pattern = copy.copy(pattern)
    pattern.frac_prec = (places, places)
    return pattern


def number(value: int | float | Decimal | None, places: int | None = None, *,
           locale: str | None = None) -> str:
    """A number for people: 1 234,5 in French, 1,234.5 in English.

    `places`: rounded to exactly that many decimals; None: every decimal the
    value has (a measure as typed, a factor), trailing zeros dropped.
    """
    if value is None:
        return NONE
    loc = babel_locale(locale)
    if places is None:
        exact = _decimal(value)
        return _pattern("decimal", str(loc), None).apply(
            exact.copy_abs() if exact.is_zero() else exact, loc, decimal_quantization=False)
    return _pattern("decimal", str(loc), places).apply(_rounded(_decimal(value), places), loc)


def signed(value: int | Decimal, *, locale: str | None = None) -> str:
    """A change of quantity: +12, -3 (the sign always shown)."""
    text = number(value, locale=locale)
    return f"+{text}" if value > 0 else text


def percent(ratio: float | Decimal | None, places: int = 1, *, locale: str | None = None) -> str:
    """A ratio as a percentage: 0.125 → 12,5 % in French, 12.5% in English."""
    if ratio is None:
        return NONE
    loc = babel_locale(locale)
    value = _rounded(_decimal(ratio) * 100, places) / 100
    return _pattern("percent", str(loc), places).apply(value, loc)


def money(cents: int | None, *, locale: str | None = None, currency: str = "EUR") -> str:
    """Cents as money: 1 234,50 € in French, €1,234.50 in English."""
    return format_currency(Decimal(cents or 0) / 100, currency, locale=babel_locale(locale))


def _with_unit(value: Decimal, places: int, unit: str, locale: Locale) -> str:
    return format_unit(value, unit, length="short", locale=locale,
                       format=_pattern("decimal", str(locale), places))


def distance(km: int | float | Decimal | None, *, locale: str | None = None) -> str:
    """A distance travelled, to 100 m: 18,0 km."""
    if km is None:
        return NONE
    loc = babel_locale(locale)
    return _with_unit(_rounded(_decimal(km), 1), 1, "length-kilometer", loc)


def mass(grams: int | Decimal | None, *, locale: str | None = None) -> str:
    """A mass, readable: 850 g, 52,8 kg, 1 235 kg, 52,8 t.

    Under 1 kg in grams; under 10 t in kilograms; then in tonnes. Three
    significant digits, but never a rounded-off whole unit: 1,23 kg, 12,3 kg,
    123 kg, 1 235 kg. Exact grams are in the CSV and XLSX exports.
    """
    if grams is None:
        return NONE
    loc = babel_locale(locale)
    grams = _decimal(grams)
    whole = _rounded(grams, 0)
    if abs(whole) < GRAMS_UP_TO:
        return _with_unit(whole, 0, "mass-gram", loc)
    value, places = _significant(grams / 1000)
    if abs(value) < KILOGRAMS_UP_TO // 1000:
        return _with_unit(value, places, "mass-kilogram", loc)
    value, places = _significant(grams / 1_000_000)
    return _with_unit(value, places, "mass-tonne", loc)


def _significant(value: Decimal) -> tuple[Decimal, int]:
    """`value` rounded to SIGNIFICANT digits, or to a whole number past them."""
    for places in range(SIGNIFICANT - 1, 0, -1):
        rounded = _rounded(value, places)
        if abs(rounded) < 10 ** (SIGNIFICANT - places):
            return rounded, places
    return _rounded(value, 0), 0


def kilograms(grams: int | None, places: int = 1, *, locale: str | None = None) -> str:
    """Grams as a number of kilograms, for a column headed "kg": 335 037 g → 335,0."""
    if grams is None:
        return NONE
    return number(Decimal(grams) / 1000, places, locale=locale)


def _in_paris(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(PARIS)


def paris_time(moment: datetime | None, *, year: bool = True, locale: str | None = None) -> str:
    """A UTC moment as a date and time in Paris: 29/03/2026 03:30 (29/03 03:30 without
    the year, for a table of one month)."""
    if moment is None:
        return ""
    loc = babel_locale(locale)
    local = _in_paris(moment)
    if year:
        return format_datetime(local, "short", tzinfo=PARIS, locale=loc)
    return loc.datetime_formats["short"].format(format_time(local, "short", locale=loc),
                                                format_skeleton("dM", local, locale=loc))


def paris_date(value: datetime | date | None, width: str = "short", *,
               locale: str | None = None) -> str:
    """A day: a UTC moment's day in Paris, or a calendar date as it is: 29/03/2026
    ("short"), 29 mars 2026 ("long")."""
    if value is None:
        return ""
    day = _in_paris(value).date() if isinstance(value, datetime) else value
    return format_date(day, width, locale=babel_locale(locale))


def month_name(month: str | date | None, width: str = "long", *,
               locale: str | None = None) -> str:
    """A month: "2026-11" → novembre 2026 ("long"), nov. 2026 ("short"), nov. ("abbr")."""
    if not month:
        return ""
    if isinstance(month, str):
        year, number_ = month.split("-")[:2]
        month = date(int(year), int(number_), 1)
    return format_skeleton(MONTH_SKELETONS[width], month, locale=babel_locale(locale))


def age(since: datetime | None, now: datetime | None = None, *,
        locale: str | None = None) -> str:
    """How long ago, in two units: 3 j 4 h, or 5 h 12 min under a day."""
    if since is None:
        return ""
    loc = babel_locale(locale)
    seconds = max(0, int(((now or datetime.now(UTC)) - since).total_seconds()))
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    parts = ((days, "duration-day"), (hours, "duration-hour")) if days else \
        ((hours, "duration-hour"), (minutes, "duration-minute"))
    return format_list([format_unit(n, unit, length="short", locale=loc) for n, unit in parts],
                       style="unit-narrow", locale=loc)


class ParisTime:
    """A UTC moment quoted in a message ({since}): written in Paris time, in the
    locale of whoever reads the message, when the message is written."""

    __slots__ = ("moment",)

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __str__(self) -> str:
        return paris_time(self.moment)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"ParisTime({self.moment!r})"


FILTERS: dict[str, Callable] = {
    "number": number, "signed": signed, "percent": percent, "money": money,
    "distance": distance, "mass": mass, "kilograms": kilograms, "paris_time": paris_time,
    "paris_date": paris_date, "month_name": month_name, "age": age,
}


def init_app(app: Flask) -> None:
    """Make every formatter a template filter."""
    app.jinja_env.filters.update(FILTERS)
