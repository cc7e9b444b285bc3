"""The return points' opening hours ("open now") and distances (services/places)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouteilles.services.places.hours import PARIS, parse_hours
from bouteilles.services.places.points import (
    great_circle_km,
    position_of,
    return_points,
)

# Saturday 5 December 2026, and the days around it, in Paris.
MON, TUE, WED, THU, FRI, SAT, SUN = (datetime(2026, 11, 30, tzinfo=PARIS) + timedelta(days=d)
                                     for d in range(7))


def at(day: datetime, clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return day.replace(hour=hour, minute=minute)


def week(text: str) -> list[list[str]]:
    """Each day's ranges as "9:00-17:00", Monday first."""
    hours = parse_hours(text)
    assert hours is not None, text
    return [[f"{s // 60}:{s % 60:02d}-{e // 60}:{e % 60:02d}" for s, e in day]
            for day in hours.week]


LUN_VEN_9_17 = [["9:00-17:00"]] * 5 + [[], []]


@pytest.mark.parametrize("text, expected", [
    # the demo's hours, as members type them
    ("mar.-sam. 11h30-14h, 18h30-22h", [[]] + [["11:30-14:00", "18:30-22:00"]] * 5 + [[]]),
    ("lun.-ven. 9h-17h", LUN_VEN_9_17),
    ("mer.-dim. 12h-14h, 19h-22h", [[], []] + [["12:00-14:00", "19:00-22:00"]] * 5),
    ("lun.-sam. 11h30-14h30", [["11:30-14:30"]] * 6 + [[]]),
    # the same said otherwise
    ("lun-ven 9h-17h", LUN_VEN_9_17),
    ("Lundi - Vendredi : 9h00 - 17h00", LUN_VEN_9_17),
    ("du lundi au vendredi de 9h à 17h", LUN_VEN_9_17),
    ("lundi à vendredi 9:00-17:00", LUN_VEN_9_17),
    ("lun.–ven. 9 h – 17 h", LUN_VEN_9_17),
    ("Du lundi au vendredi de 9h à 12h et de 14h à 18h",
     [["9:00-12:00", "14:00-18:00"]] * 5 + [[], []]),
    # lists, every day, a week end wrap, groups, a later group winning, closed days
    ("lun., mer., ven. 9h30-12h", [["9:30-12:00"], [], ["9:30-12:00"], [], ["9:30-12:00"], [],
                                   []]),
    ("sam. et dim. 10h-18h", [[]] * 5 + [["10:00-18:00"]] * 2),
    ("tous les jours 10h-19h", [["10:00-19:00"]] * 7),
    ("7j/7 8h-20h", [["8:00-20:00"]] * 7),
    ("ven.-lun. 10h-12h", [["10:00-12:00"], [], [], [], ["10:00-12:00"]] + [["10:00-12:00"]] * 2),
    ("lun.-ven. 9h-12h, 14h-18h ; sam. 9h-12h",
     [["9:00-12:00", "14:00-18:00"]] * 5 + [["9:00-12:00"], []]),
    ("lun.-sam. 9h-19h, sam. 9h-12h", [["9:00-19:00"]] * 5 + [["9:00-12:00"], []]),
    ("lun.-dim. 9h-19h ; dim. fermé", [["9:00-19:00"]] * 6 + [[]]),
    ("ven.-sam. 19h-1h", [[]] * 4 + [["19:00-1:00"]] * 2 + [[]]),
    ("mar. 18h-24h", [[], ["18:00-24:00"], [], [], [], [], []]),
])
def test_hours_as_members_type_them(text, expected):
    assert week(text) == expected


@pytest.mark.parametrize("text", [
    None, "", "Sur rendez-vous", "9h-17h",  # no day: which ones?
    "lun.-ven.", "lun.-ven. 9h-17h, sam.",  # a day without hours
    "lun.- 9h-17h", "mar. 25h-26h", "mar. 9h60-10h", "mar. 9h-9h",
    "lun.-ven. 9h-17h sauf jours fériés", "fermé", "horaires d'été : lun.-ven. 9h-17h",
    "lundi 9h-17h" * 60,  # longer than any real one
])
def test_unreadable_hours_say_nothing(text):
    assert parse_hours(text) is None


@pytest.mark.parametrize("text, moment, is_open", [
    ("mar.-sam. 11h30-14h, 18h30-22h", at(SAT, "12:00"), True),
    ("mar.-sam. 11h30-14h, 18h30-22h", at(SAT, "11:29"), False),
    ("mar.-sam. 11h30-14h, 18h30-22h", at(SAT, "11:30"), True),
    ("mar.-sam. 11h30-14h, 18h30-22h", at(SAT, "14:00"), False),  # the end is closed
    ("mar.-sam. 11h30-14h, 18h30-22h", at(SAT, "16:00"), False),
    ("mar.-sam. 11h30-14h, 18h30-22h", at(SAT, "21:59"), True),
    ("mar.-sam. 11h30-14h, 18h30-22h", at(SUN, "12:00"), False),
    ("mar.-sam. 11h30-14h, 18h30-22h", at(MON, "12:00"), False),
    ("lun.-ven. 9h-17h", at(MON, "09:00"), True),
    ("lun.-ven. 9h-17h", at(FRI, "16:59"), True),
    ("lun.-ven. 9h-17h", at(SAT, "10:00"), False),
    ("ven.-sam. 19h-1h", at(SAT, "00:30"), True),  # Friday night, past midnight
    ("ven.-sam. 19h-1h", at(SUN, "00:30"), True),  # Saturday night
    ("ven.-sam. 19h-1h", at(FRI, "00:30"), False),  # Thursday night: closed
    ("ven.-sam. 19h-1h", at(SUN, "01:00"), False),
    ("mar. 18h-24h", at(TUE, "23:59"), True),
    ("mar. 18h-24h", at(WED, "00:00"), False),
])
def test_open_at_a_moment_in_paris(text, moment, is_open):
    assert parse_hours(text).is_open(moment) is is_open


def test_open_is_read_in_paris_time_whatever_the_zone_given():
    hours = parse_hours("lun.-ven. 9h-17h")
    # 8:30 UTC is 9:30 in Paris in winter, 10:30 in summer; 16:30 UTC is 17:30 in winter
    assert hours.is_open(datetime(2026, 12, 7, 8, 30, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 12, 7, 16, 30, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 7, 6, 15, 30, tzinfo=UTC))  # 17:30 in summer


@given(st.text(max_size=80))
def test_any_text_is_read_or_refused_never_an_error(text):
    hours = parse_hours(text)
    if hours is not None:
        assert len(hours.week) == 7
        hours.is_open(datetime(2026, 12, 5, 12, tzinfo=UTC))


DAY_WORDS = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]


@given(st.integers(0, 6), st.integers(0, 6), st.integers(0, 22), st.integers(1, 23),
       st.sampled_from([0, 15, 30, 45]), st.sampled_from(["h", ":"]))
def test_a_day_range_and_a_time_range(first, last, start, length, minute, sep):
    end = min(start + length, 23)
    text = (f"{DAY_WORDS[first]}-{DAY_WORDS[last]} {start}{sep}{minute:02d}-{end}{sep}00")
    hours = parse_hours(text)
    days = {(first + step) % 7 for step in range((last - first) % 7 + 1)}
    if start * 60 + minute == end * 60:
        assert hours is None
        return
    for day in range(7):
        assert bool(hours.week[day]) is (day in days), text
        moment = MON + timedelta(days=day, hours=start, minutes=minute)
        assert hours.is_open(moment) is (day in days), text


# ---------------------------------------------------------------- distances

LONS = (46.6747, 5.5546)
BESANCON = (47.2371, 6.0244)


def test_great_circle_distances():
    assert great_circle_km(LONS, LONS) == 0
    assert great_circle_km(LONS, BESANCON) == pytest.approx(72.0, abs=0.1)
    assert great_circle_km(LONS, BESANCON) == pytest.approx(great_circle_km(BESANCON, LONS))
    # Paris–Marseille ≈ 661 km; a quarter of the equator ≈ 10 008 km
    assert great_circle_km((48.8566, 2.3522), (43.2965, 5.3698)) == pytest.approx(661, abs=2)
    assert great_circle_km((0, 0), (0, 90)) == pytest.approx(10_007.6, abs=1)
    assert great_circle_km((0, 0), (0, 180)) == pytest.approx(20_015.1, abs=1)  # antipodes


@pytest.mark.parametrize("lat, lon, expected", [
    ("46.67", "5.55", (46.67, 5.55)), ("-90", "180", (-90.0, 180.0)),
    ("", "", None), (None, "5", None), ("abc", "5", None), ("91", "5", None),
    ("46", "-181", None), ("nan", "5", None), ("inf", "5", None), ("1e999", "5", None),
])
def test_a_typed_position(lat, lon, expected):
    assert position_of(lat, lon) == expected


def test_return_points_nearest_first_unlocated_last(session, make_org):
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    make_org("restaurant", "resto-lons", latitude=LONS[0], longitude=LONS[1])
    make_org("restaurant", "resto-besancon", latitude=BESANCON[0], longitude=BESANCON[1])
    make_org("restaurant", "resto-anywhere")
    make_org("collection_point", "cave-lons", latitude=46.6756, longitude=5.5563)
    gone = make_org("restaurant", "resto-gone", latitude=LONS[0], longitude=LONS[1])
    gone.active = False
    session.commit()
    codes = {point.name: point for point in return_points(session, "box", at=now,
                                                            origin=BESANCON)}
    assert list(codes) == ["Resto-Besancon", "Resto-Lons", "Resto-Anywhere"]
    assert codes["Resto-Besancon"].distance_km == pytest.approx(0)
    assert codes["Resto-Anywhere"].distance_km is None
    by_name = [p.name for p in return_points(session, "bottle", at=now)]
    assert by_name == ["Cave-Lons", "Resto-Besancon", "Resto-Lons", "Resto-Anywhere"]
