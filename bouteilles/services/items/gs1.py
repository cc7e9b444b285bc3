"""GS1 identifiers: GRAI (application identifier 8003) and its GS1 Digital Link URI.

A GRAI element string is "0" + 12 digits (company prefix + asset type) + a
check digit + an optional serial of up to 16 characters from GS1's
"AI encodable character set 82". Its Digital Link URI is
``{base}/8003/{grai}``. For our containers the serial is the 8-symbol body of
the item code (its check symbol may fall outside set 82), so a Digital Link
and ``/q/<code>`` name the same object.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from bouteilles.services.items.codes import ALPHABET, BODY_LENGTH, check_symbol

AI_GRAI = "8003"
SERIAL_MAX = 16
# GS1 General Specifications: "AI encodable character set 82" (serials, GRAI included).
CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
_GRAI = re.compile(r"0(\d{13})(.*)", re.DOTALL)


def gs1_check_digit(digits: str) -> str:
    """Return the GS1 mod-10 check digit of digits (weights 3, 1, 3, … from the right)."""
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"a GS1 check digit needs digits, got {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str(-total % 10)


def _check_serial(serial: str) -> None:
    """Raise ValueError unless serial is a valid GRAI serial component."""
    if len(serial) > SERIAL_MAX:
        raise ValueError(f"a GRAI serial has at most {SERIAL_MAX} characters, got {len(serial)}")
    bad = sorted(set(serial) - CSET82)
    if bad:
        raise ValueError(f"a GRAI serial cannot contain {''.join(bad)!r} (GS1 character set 82)")


def grai(company_prefix: str, asset_type_ref: str, serial: str = "") -> str:
    """Return the AI 8003 element string: "0", prefix, asset type, check digit, serial."""
    body = company_prefix + asset_type_ref
    if not (
        company_prefix.isascii() and company_prefix.isdigit() and 4 <= len(company_prefix) <= 12
    ):
        raise ValueError("a GS1 company prefix is 4 to 12 digits")
    if not (asset_type_ref.isascii() and (asset_type_ref.isdigit() or not asset_type_ref)):
        raise ValueError("a GRAI asset type reference is digits")
    if len(body) != 12:
        raise ValueError(f"company prefix + asset type must be 12 digits, got {len(body)}")
    _check_serial(serial)
    return "0" + body + gs1_check_digit(body) + serial


def split_grai(value: str) -> tuple[str, str]:
    """Split and validate an AI 8003 value into (13-digit GRAI with check digit, serial)."""
    match = _GRAI.fullmatch(value)
    if not match or not value.isascii():
        raise ValueError("a GRAI is '0', 13 digits and an optional serial")
    grai13, serial = match.groups()
    if gs1_check_digit(grai13[:12]) != grai13[12]:
        raise ValueError(
            f"GRAI {grai13}: wrong check digit (expected {gs1_check_digit(grai13[:12])})"
        )
    _check_serial(serial)
    return grai13, serial


def digital_link(base: str, grai_value: str) -> str:
    """Return the GS1 Digital Link URI {base}/8003/{grai}, serial percent-encoded."""
    split_grai(grai_value)
    return f"{base.rstrip('/')}/{AI_GRAI}/{quote(grai_value, safe='')}"


def parse_digital_link_path(path: str) -> tuple[str, str]:
    """Return (grai13, serial) from a Digital Link URI or path; ValueError if malformed."""
    segments = [s for s in urlsplit(path).path.split("/") if s]
    if AI_GRAI not in segments:
        raise ValueError("not a GRAI Digital Link: no /8003/ in the path")
    at = segments.index(AI_GRAI)
    if len(segments) != at + 2:
        raise ValueError("a GRAI Digital Link ends with /8003/<grai>")
    return split_grai(unquote(segments[at + 1]))


def grai_for_code(company_prefix: str, asset_type_ref: str, code: str) -> str:
    """Return the GRAI of an item code: its 8-symbol body is the serial."""
    return grai(company_prefix, asset_type_ref, code[:BODY_LENGTH])


def code_for_serial(serial: str) -> str:
    """Return the item code whose body is a GRAI serial made by grai_for_code."""
    body = serial.upper()
    if len(body) != BODY_LENGTH or any(ch not in ALPHABET for ch in body):
        raise ValueError(f"GRAI serial {serial!r} is not an item code body")
    return body + check_symbol(body)


def code_from_digital_link(path: str, company_prefix: str | None = None) -> str:
    """Return the item code a GRAI Digital Link names; ValueError if it is not one of ours."""
    grai13, serial = parse_digital_link_path(path)
    if company_prefix is not None and not grai13.startswith(company_prefix):
        raise ValueError(f"GRAI {grai13} is not under company prefix {company_prefix}")
    return code_for_serial(serial)
