"""Numbers, money, masses, dates and times for people, in French and English (Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bouteilles.formatting import (
    ParisTime,
    age,
    distance,
    kilograms,
    mass,
    money,
    month_name,
    number,
    paris_date,
    paris_time,
    percent,
    signed,
)

NN = "\u202f"  # narrow no-break space: French digit groups, and between a number and its unit
NB = "\u00a0"  # no-break space: before € and % in French


@pytest.mark.parametrize(("value", "places", "fr", "en"), [
    (Decimal("35.5"), None, "35,5", "35.5"),
    (Decimal("350.50"), None, "350,5", "350.5"),  # a measure as typed, trailing zero dropped
    (Decimal("0.000123"), None, "0,000123", "0.000123"),  # a factor keeps every decimal
    (1234567, None, f"1{NN}234{NN}567", "1,234,567"),
    (0, None, "0", "0"),
    (18, 1, "18,0", "18.0"),
    (Decimal("2.25"), 1, "2,3", "2.3"),  # half away from zero, as the impact figures
    (Decimal("-2.25"), 1, "-2,3", "-2.3"),
    (Decimal("-0.04"), 1, "0,0", "0.0"),  # never "-0,0"
    (None, None, "—", "—"),
])
def test_number(value, places, fr, en):
    assert number(value, places, locale="fr") == fr
    assert number(value, places, locale="en") == en


def test_signed_and_percent():
    assert signed(12, locale="fr") == "+12" and signed(-1234, locale="fr") == f"-1{NN}234"
    assert signed(0, locale="en") == "0"
    assert percent(Decimal("0.03"), locale="fr") == f"3,0{NB}%"
    assert percent(0.125, locale="en") == "12.5%"
    assert percent(None) == "—"


@pytest.mark.parametrize(("cents", "fr", "en"), [
    (123450, f"1{NN}234,50{NB}€", "€1,234.50"),
    (-500, f"-5,00{NB}€", "-€5.00"),
    (0, f"0,00{NB}€", "€0.00"),
    (None, f"0,00{NB}€", "€0.00"),
    (1, f"0,01{NB}€", "€0.01"),
    (123456789, f"1{NN}234{NN}567,89{NB}€", "€1,234,567.89"),
])
def test_money(cents, fr, en):
    assert money(cents, locale="fr") == fr
    assert money(cents, locale="en") == en


def test_distance_to_100_m():
    assert distance(18, locale="fr") == f"18,0{NN}km"
    assert distance(12.55, locale="fr") == f"12,6{NN}km"
    assert distance(Decimal("1234.5"), locale="en") == "1,234.5 km"
    assert distance(None) == "—"


@pytest.mark.parametrize(("grams", "fr"), [
    (0, "0 g"),
    (95, "95 g"),
    (999, "999 g"),
    (Decimal("999.6"), "1,00 kg"),  # rounds into the next unit
    (1000, "1,00 kg"),
    (1234, "1,23 kg"),
    (9995, "10,0 kg"),
    (52_780, "52,8 kg"),
    (123_456, "123 kg"),
    (335_037, "335 kg"),
    (1_234_567, "1 235 kg"),  # under 10 t: whole kilograms past three digits
    (9_999_499, "9 999 kg"),
    (9_999_500, "10,0 t"),
    (52_780_000, "52,8 t"),
    (123_456_789, "123 t"),
    (1_234_567_890, "1 235 t"),
    (-1842, "-1,84 kg"),  # a batch can avoid less than it costs
    (-52_780_000, "-52,8 t"),
])
def test_mass_in_g_kg_or_t(grams, fr):
    assert mass(grams, locale="fr") == fr.replace(" ", NN)


def test_mass_in_english_and_kilogram_columns():
    assert mass(52_780, locale="en") == "52.8 kg"
    assert mass(1_234_567, locale="en") == "1,235 kg"
    assert mass(None) == "—"
    assert kilograms(335_037, locale="fr") == "335,0"
    assert kilograms(1_251_419, locale="en") == "1,251.4"
    assert kilograms(-1842, locale="fr") == "-1,8"


def test_moments_in_paris_across_the_clock_changes():
    def at(*args):
        return datetime(*args, tzinfo=UTC)

    # 29 March 2026: 02:00 in Paris becomes 03:00 (01:00 UTC).
    assert paris_time(at(2026, 3, 29, 0, 59), locale="fr") == "29/03/2026 01:59"
    assert paris_time(at(2026, 3, 29, 1, 0), locale="fr") == "29/03/2026 03:00"
    # 25 October 2026: 03:00 in Paris becomes 02:00 again (01:00 UTC); 02:30 happens twice.
    assert paris_time(at(2026, 10, 25, 0, 30), locale="fr") == "25/10/2026 02:30"
    assert paris_time(at(2026, 10, 25, 1, 30), locale="fr") == "25/10/2026 02:30"
    assert paris_time(at(2026, 10, 25, 2, 30), locale="en") == "25/10/2026, 03:30"
    assert paris_time(datetime(2026, 7, 1, 10), locale="fr") == "01/07/2026 12:00"  # naive: UTC
    assert paris_time(at(2026, 3, 9, 2, 5), year=False, locale="fr") == "09/03 03:05"
    assert paris_time(None) == ""


def test_days_in_paris():
    assert paris_date(datetime(2026, 10, 24, 22, 30, tzinfo=UTC), locale="fr") == "25/10/2026"
    assert paris_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), locale="en") == "01/01/2027"
    assert paris_date(datetime(2026, 12, 31, 22, 59, tzinfo=UTC), locale="fr") == "31/12/2026"
    assert paris_date(date(2026, 11, 1), locale="fr") == "01/11/2026"  # a calendar day as it is
    assert paris_date(None) == ""


def test_months():
    assert month_name("2026-11", locale="fr") == "novembre 2026"
    assert month_name("2026-11", locale="en") == "November 2026"
    assert month_name("2026-11", "short", locale="fr") == "nov. 2026"
    assert month_name(date(2026, 5, 1), "abbr", locale="en") == "May"
    assert month_name("2099-12", locale="fr") == "décembre 2099"


def test_ages():
    now = datetime(2026, 3, 5, 12, tzinfo=UTC)
    assert age(now - timedelta(days=3, hours=4, minutes=5), now, locale="fr") == f"3{NN}j 4{NN}h"
    assert age(now - timedelta(hours=5, minutes=12), now, locale="fr") == f"5{NN}h 12{NB}min"
    assert age(now - timedelta(days=3, hours=4), now, locale="en") == "3 days 4 hrs"
    assert age(now + timedelta(hours=1), now, locale="fr") == f"0{NN}h 0{NB}min"  # clock skew
    assert age(None) == ""


def test_the_request_locale_is_the_default(app):
    with app.test_request_context("/?lang=en"):
        assert number(Decimal("35.5")) == "35.5" and money(500) == "€5.00"
    with app.test_request_context("/"):
        assert number(Decimal("35.5")) == "35,5" and money(500) == f"5,00{NB}€"
    assert number(Decimal("35.5")) == "35,5"  # outside a request: French


def test_a_moment_in_a_message_is_written_for_its_reader(app):
    since = ParisTime(datetime(2026, 7, 1, 10, tzinfo=UTC))
    french, english = "depuis le {since}", "since %(since)s"  # str.format and gettext's style
    assert french.format(since=since) == "depuis le 01/07/2026 12:00"
    with app.test_request_context("/?lang=en"):
        assert english % {"since": since} == "since 01/07/2026, 12:00"


def test_every_formatter_is_a_filter(app):
    template = app.jinja_env.from_string(
        "{{ 123450|money }} {{ 52780|mass }} {{ '2026-11'|month_name }} {{ 0.03|percent }}")
    with app.test_request_context("/"):
        assert template.render() == f"1{NN}234,50{NB}€ 52,8{NN}kg novembre 2026 3,0{NB}%"
