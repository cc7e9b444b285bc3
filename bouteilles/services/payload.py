"""Checking the shape of JSON input: clear refusals, never a crash."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from .errors import ValidationError


def required_str(data: dict, name: str, *, max_length: int = 200) -> str:
    """A non-empty string field."""
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("Le champ « {name} » est obligatoire (texte).", name=name)
    if len(value) > max_length:
        raise ValidationError("Le champ « {name} » est trop long ({n} caractères au plus).",
                              name=name, n=max_length)
    if "\x00" in value:  # PostgreSQL refuses NUL in text: a 422, not a 500
        raise ValidationError("Le champ « {name} » contient un caractère nul.", name=name)
    return value.strip()


def optional_str(data: dict, name: str, *, max_length: int = 200) -> str | None:
    """A string field that may be absent or null."""
    if data.get(name) is None:
        return None
    return required_str(data, name, max_length=max_length)


def optional_int(value: object, *, field: str = "nombre", minimum: int = 0,
                 maximum: int = 10_000_000) -> int | None:
    """An integer (not a boolean, not a float) within bounds, or None."""
    if value is None:
        return None
    # isascii: "²".isdigit() is true but int("²") fails (found by schemathesis)
    if isinstance(value, str) and value.strip().lstrip("-").isascii() \
            and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("Le champ « {field} » doit être un nombre entier.", field=field)
    if not minimum <= value <= maximum:
        raise ValidationError("Le champ « {field} » doit être entre {lo} et {hi}.",
                              field=field, lo=minimum, hi=maximum)
    return value


def optional_decimal(value: object, *, field: str) -> Decimal | None:
    """A non-negative decimal number (JSON number or numeric text), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError("Le champ « {field} » doit être un nombre.", field=field)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError("Le champ « {field} » doit être un nombre.", field=field) from None
    if not number.is_finite() or number < 0 or number > Decimal("1e9"):
        raise ValidationError("Le champ « {field} » doit être un nombre positif raisonnable.",
                              field=field)
    return number


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time with its offset, or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("« occurred_at » doit être une date ISO 8601 avec fuseau.")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("« occurred_at » n'est pas une date ISO 8601 : {value}.",
                              value=value[:40]) from None
    if moment.tzinfo is None:
        raise ValidationError("« occurred_at » doit indiquer son fuseau (ex. +01:00 ou Z).")
    return moment
