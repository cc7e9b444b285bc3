"""What every API schema shares: strict JSON types, and a French sentence for each fault.

Input models are strict (a number is not a text, `true` is not a number) and
ignore fields they do not know. A refusal lists every faulty field at once
(`InvalidInput`), each fault in a French sentence written in the reader's
language when the answer is (`lazy_gettext`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

import pydantic
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from ..i18n import N_
from ..services.errors import FieldError, InvalidInput

# Blank characters (Unicode White_Space), as a regular expression's class that
# JSON Schema, Python and pydantic read alike: text is stripped of exactly these,
# and must have something else.
_BLANK_CLASS = (r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a"
                r"\u2028\u2029\u202f\u205f\u3000")
BLANKS = "".join(ch for ch in map(chr, range(0x3001)) if re.match(f"[{_BLANK_CLASS}]", ch))
# No NUL (PostgreSQL stores none) and at least one character that is not blank.
TEXT_PATTERN = f"^[^\\u0000]*[^\\u0000{_BLANK_CLASS}][^\\u0000]*$"
NO_NUL_PATTERN = "^[^\\u0000]*$"
MONTH_PATTERN = "^20[0-9]{2}-(0[1-9]|1[0-2])$"  # the years periods.parse_month serves


class Input(pydantic.BaseModel):
    """A JSON body or a query string: strict types, unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Output(pydantic.BaseModel):
    """An answer's shape, for the document (answers are built by the services)."""


def Text(max_length: int, **field: Any) -> Any:  # noqa: N802 - a type, named as one
    """A text of 1 to `max_length` characters, not blank, without NUL; stripped."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length,
                                            pattern=TEXT_PATTERN),
                     AfterValidator(lambda value: value.strip(BLANKS)), Field(**field)]


def Filter(max_length: int, **field: Any) -> Any:  # noqa: N802
    """A query-string filter: empty means none."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL_PATTERN),
                     Field(**field)]


def Count(minimum: int, maximum: int, **field: Any) -> Any:  # noqa: N802
    """A whole number within bounds: a JSON integer (`2.0` is one to JSON Schema too),
    not a text or a boolean."""
    return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_whole), Field(**field)]


def _whole(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def Measure(**field: Any) -> Any:  # noqa: N802
    """A non-negative number of reasonable size (litres, kWh, km)."""
    return Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False, **field)]


def _text_only(value: object) -> object:
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "a date-time is a text")
    return value


def _in_utc(moment: datetime) -> datetime:
    if not 2000 <= moment.year <= 2099:  # and no overflow converting it
        raise PydanticCustomError("datetime_range", "a date between 2000 and 2099")
    return moment.astimezone(UTC)


# ISO 8601 with its offset (RFC 3339), read in UTC.
Moment = Annotated[pydantic.AwareDatetime, Field(strict=False), BeforeValidator(_text_only),
                   AfterValidator(_in_utc)]

# pydantic's fault type → the French sentence (fields: `field`, and the fault's own).
MESSAGES = {
    "missing": N_("Le champ « %(field)s » est obligatoire."),
    "string_type": N_("Le champ « %(field)s » doit être un texte."),
    "string_too_short": N_("Le champ « %(field)s » ne peut pas être vide."),
    "string_too_long": N_("Le champ « %(field)s » est trop long (%(max_length)s caractères "
                          "au plus)."),
    "string_pattern_mismatch": N_("Le champ « %(field)s » est vide ou contient un caractère "
                                  "interdit."),
    "int_type": N_("Le champ « %(field)s » doit être un nombre entier."),
    "float_type": N_("Le champ « %(field)s » doit être un nombre."),
    "finite_number": N_("Le champ « %(field)s » doit être un nombre."),
    "greater_than_equal": N_("Le champ « %(field)s » doit valoir au moins %(ge)s."),
    "less_than_equal": N_("Le champ « %(field)s » doit valoir au plus %(le)s."),
    "literal_error": N_("Le champ « %(field)s » : « %(input)s » n'est pas possible ; "
                        "valeurs possibles : %(expected)s."),
    "datetime_type": N_("« %(field)s » doit être une date ISO 8601 avec fuseau."),
    "datetime_parsing": N_("« %(field)s » n'est pas une date ISO 8601 : %(input)s."),
    "datetime_from_date_parsing": N_("« %(field)s » n'est pas une date ISO 8601 : %(input)s."),
    "datetime_range": N_("« %(field)s » doit être une date entre 2000 et 2099."),
    "timezone_aware": N_("« %(field)s » doit indiquer son fuseau (ex. +01:00 ou Z)."),
    "list_type": N_("« %(field)s » doit être une liste."),
    "too_long": N_("« %(field)s » : %(max_length)s éléments au plus."),
    "dict_type": N_("« %(field)s » doit être un objet JSON."),
    "model_type": N_("« %(field)s » doit être un objet JSON."),
    "model_attributes_type": N_("« %(field)s » doit être un objet JSON."),
    "none_required": N_("Le champ « %(field)s » n'a rien à faire ici : retirez-le."),
}
UNEXPECTED = N_("Le champ « %(field)s » est invalide.")
# A pattern's own sentence.
PATTERNS = {NO_NUL_PATTERN: N_("Le champ « %(field)s » contient un caractère nul.")}
MONTH_REFUSED = N_("Mois invalide « %(input)s » : attendu AAAA-MM, de 2000-01 à 2099-12.")
# Faults of the whole body (its location is empty).
NOT_AN_OBJECT = N_("Le corps de la requête doit être un objet JSON valide.")
WHOLE = {kind: NOT_AN_OBJECT for kind in ("dict_type", "model_type", "model_attributes_type")}


def field_errors(exc: pydantic.ValidationError, *, skip: int = 0, messages: dict | None = None,
                 params: dict | None = None) -> list[FieldError]:
    """One `FieldError` per fault; `skip`: leading parts of a fault's location that
    name no field (a union's tag); `messages`: (type, field) → sentence overrides,
    and `params` what they quote besides the fault."""
    found = []
    for fault in exc.errors(include_url=False):
        field = ".".join(str(part) for part in fault["loc"][skip:])
        kind = fault["type"]
        template = (messages or {}).get((kind, field)) \
            or (WHOLE.get(kind) if not field else None) \
            or PATTERNS.get((fault.get("ctx") or {}).get("pattern")) \
            or MESSAGES.get(kind, UNEXPECTED)
        found.append(FieldError(field, _l(template, **{**(params or {}),
                                                       **_params(field, fault)})))
    return found


def _params(field: str, fault: dict) -> dict:
    params = {"field": field, "input": _shown(fault.get("input"))}
    for name, value in (fault.get("ctx") or {}).items():
        if name == "expected":  # "'a', 'b' or 'c'", as pydantic writes it
            value = ", ".join(part.strip(" '") for part in
                              str(value).replace(" or ", ", ").split(","))
        params[name] = value
    return params


def _shown(value: object) -> str:
    """A faulty value as a message may quote it: short."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def read(schema: type[Input], data: object) -> Any:
    """`data` checked against `schema`: its model, or InvalidInput listing every fault
    (in the words of the schema's own `MESSAGES`, if it has some)."""
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise InvalidInput(field_errors(exc, messages=getattr(schema, "MESSAGES", None))) \
            from None
