"""GS1 check digits, GRAI element strings and Digital Link paths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouteilles.services.items.codes import new_code, normalize_code
from bouteilles.services.items.gs1 import (
    CSET82,
    code_for_serial,
    code_from_digital_link,
    digital_link,
    grai,
    grai_for_code,
    gs1_check_digit,
    parse_digital_link_path,
    split_grai,
)


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("400638133393", "1"),  # EAN-13 4006381333931, the textbook example
        ("629104150021", "3"),  # EAN-13 6291041500213
        ("0952012345678", "8"),  # GTIN-14 09520123456788 (GS1 Digital Link examples)
        ("387058500055", "2"),  # GRAI 0 3870585000552 987 (GS1 Digital Link examples)
        ("00000000000", "0"),
    ],
)
def test_known_gs1_check_digits(digits: str, check: str) -> None:
    assert gs1_check_digit(digits) == check


@pytest.mark.parametrize("bad", ["", "12a4", "１２３", "12 3"])
def test_check_digit_needs_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        gs1_check_digit(bad)


def test_grai_of_the_gs1_digital_link_example() -> None:
    value = grai("3870585", "00055", "987")
    assert value == "03870585000552987"
    assert digital_link("https://id.gs1.org", value) == "https://id.gs1.org/8003/03870585000552987"
    assert parse_digital_link_path("/8003/03870585000552987") == ("3870585000552", "987")


def test_grai_without_serial_and_with_trailing_slash_base() -> None:
    assert grai("3870585", "00055") == "03870585000552"
    assert digital_link("https://x.org/", "03870585000552") == "https://x.org/8003/03870585000552"
    assert parse_digital_link_path("https://x.org/8003/03870585000552") == ("3870585000552", "")


@pytest.mark.parametrize(
    ("prefix", "ref", "serial"),
    [
        ("387058", "00055", "1"),  # 11 digits
        ("3870585", "000550", "1"),  # 13 digits
        ("38705x5", "00055", "1"),
        ("387", "000550000", "1"),  # prefix too short
        ("3870585", "00055", "A" * 17),
        ("3870585", "00055", "ABC DEF"),
        ("3870585", "00055", "ABC~1"),
        ("3870585", "00055", "é"),
    ],
)
def test_grai_refuses_bad_parts(prefix: str, ref: str, serial: str) -> None:
    with pytest.raises(ValueError):
        grai(prefix, ref, serial)


@pytest.mark.parametrize(
    "path",
    [
        "/8003/03870585000553987",  # wrong check digit
        "/8003/13870585000552987",  # must start with 0
        "/8003/0387058500055",  # too short
        "/8003/03870585000552" + "9" * 17,  # serial too long
        "/8003/03870585000552AB%20C",  # space is not in set 82
        "/01/09520123456788",  # a GTIN, not a GRAI
        "/8003/03870585000552987/10/ABC",  # trailing qualifiers
        "/8003/",
        "",
    ],
)
def test_parse_refuses_bad_paths(path: str) -> None:
    with pytest.raises(ValueError):
        parse_digital_link_path(path)


def test_parse_accepts_prefix_path_query_and_percent_encoding() -> None:
    value = grai("3870585", "00055", "A/B%C")
    uri = digital_link("https://r.example.org/gs1", value)
    assert uri == "https://r.example.org/gs1/8003/03870585000552A%2FB%25C"
    assert parse_digital_link_path(uri + "?linkType=all") == ("3870585000552", "A/B%C")


@given(
    st.text(alphabet="0123456789", min_size=12, max_size=12),
    st.text(alphabet=sorted(CSET82), max_size=16),
)
def test_grai_round_trip(digits: str, serial: str) -> None:
    value = grai(digits[:7], digits[7:], serial)
    assert split_grai(value) == (digits + gs1_check_digit(digits), serial)
    assert parse_digital_link_path(digital_link("https://x.org", value)) == (value[1:14], serial)


@given(
    st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 12), st.integers(1, 9)
)
def test_any_single_digit_error_is_refused(digits: str, pos: int, delta: int) -> None:
    value = grai(digits[:7], digits[7:], "1")
    i = pos + 1
    typo = value[:i] + str((int(value[i]) + delta) % 10) + value[i + 1 :]
    with pytest.raises(ValueError):
        split_grai(typo)


def test_digital_link_and_q_url_name_the_same_code() -> None:
    code = new_code()
    uri = digital_link("https://bouteilles.example.org", grai_for_code("3870585", "00055", code))
    grai13, serial = parse_digital_link_path(uri)
    assert grai13 == "3870585000552"
    assert code_for_serial(serial) == normalize_code(f"https://bouteilles.example.org/q/{code}")


@pytest.mark.parametrize("bad", ["", "ABC", "ABCDEFGU", "ABCDEFGHJ"])
def test_code_for_serial_refuses_non_codes(bad: str) -> None:
    with pytest.raises(ValueError):
        code_for_serial(bad)


def test_code_from_digital_link_checks_the_company_prefix() -> None:
    code = new_code()
    uri = digital_link("https://b.example.org", grai_for_code("3870585", "00055", code))
    assert code_from_digital_link(uri) == code
    assert code_from_digital_link(uri, "3870585") == code
    with pytest.raises(ValueError, match="company prefix"):
        code_from_digital_link(uri, "4012345")
    with pytest.raises(ValueError):
        code_from_digital_link("https://b.example.org/8003/03870585000552")  # no serial
