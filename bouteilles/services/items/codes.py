"""Item codes: short, random, Crockford base32 with a check character.

A code is 8 random base32 symbols (40 bits) followed by one check symbol
(the value mod 37, Crockford's extended check alphabet). Typing mistakes
(one wrong symbol, two swapped neighbours) change the check, so a mistyped
code is refused instead of being taken for another one. Input is forgiving
the Crockford way: case, spaces and hyphens are ignored, I/L read as 1, O as 0.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import unquote

from flask_babel import lazy_gettext as _l

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 8
CODE_LENGTH = BODY_LENGTH + 1
RANDOM_BITS = BODY_LENGTH * 5
_VALUE = {ch: i for i, ch in enumerate(CHECK_ALPHABET)}
_TRANSLATE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_URL_CODE = re.compile(r"/q/([^/?#]+)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015]")


class InvalidCode(ValueError):
    """The text is not a well-formed code (bad symbol, length or check); `message`
    says why, in French made translatable, for a refusal to quote."""

    def __init__(self, message: object, reason: str = "chars") -> None:
        super().__init__(message)
        self.message = message
        # length | chars | check: the scanner's codes.js names the same three.
        self.reason = reason


def check_symbol(body: str) -> str:
    """Return the check symbol of a canonical code body."""
    value = 0
    for ch in body:
        if ch not in ALPHABET:
            raise InvalidCode(_l("« %(symbol)s » n'est pas un symbole de code", symbol=ch))
        value = value * 32 + _VALUE[ch]
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    """Draw a new random code (40 random bits plus its check symbol)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_symbol(body)


def normalize_code(text: str) -> str:
    """Return the canonical form of a typed or scanned code, or raise InvalidCode.

    Accepts a bare code or a URL ending in /q/<code>.
    """
    text = (text or "").strip()
    match = _URL_CODE.search(text)
    if match:
        text = unquote(match.group(1))
    text = _SEPARATORS.sub("", text).upper().translate(_TRANSLATE)
    if len(text) != CODE_LENGTH:
        raise InvalidCode(_l("un code a %(length)s caractères, celui-ci en a %(count)s",
                             length=CODE_LENGTH, count=len(text)), "length")
    body, check = text[:-1], text[-1]
    if any(ch not in ALPHABET for ch in body) or check not in CHECK_ALPHABET:
        raise InvalidCode(_l("ce code contient des caractères que les codes n'utilisent "
                             "jamais"))
    if check_symbol(body) != check:
        raise InvalidCode(_l("ce code n'existe pas : son caractère de contrôle est faux "
                             "(faute de frappe ?)"), "check")
    return text


def format_code(code: str) -> str:
    """Group a code for reading aloud: ABCD-EFGH-J."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
