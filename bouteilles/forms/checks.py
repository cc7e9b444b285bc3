"""The checks of a field: present, short enough, within bounds, of a given shape.

Each also tells the input what it enforces (`field_flags`: `required`,
`maxlength`, `min`, `max`), so the page shows the limit before anything is typed.
"""

from __future__ import annotations

from decimal import Decimal

from wtforms.validators import Length, StopValidation, ValidationError

from .base import Text, _l


class Required:
    """Something typed or chosen; spaces alone are nothing."""

    field_flags = {"required": True}

    def __init__(self, message: Text | None = None) -> None:
        self.message = message or _l("Ce champ est obligatoire.")

    def __call__(self, form, field) -> None:
        raw = field.raw_data[0] if field.raw_data else ""
        if str(raw).strip():
            return
        field.errors[:] = []
        raise StopValidation(self.message)


class MaxLength(Length):
    """At most `max` characters (the `maxlength` of the input)."""

    def __init__(self, max: int) -> None:
        super().__init__(max=max, message=_l("%(max)s caractères au plus (vous en avez "
                                             "tapé %(length)s)."))


class Between:
    """A number from `low` to `high` (the `min` and `max` of a number input)."""

    def __init__(self, low: int | Decimal, high: int | Decimal) -> None:
        self.low, self.high = low, high
        self.field_flags = {"min": low, "max": high}

    def __call__(self, form, field) -> None:
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(_l("Un nombre de %(low)s à %(high)s.", low=self.low,
                                     high=self.high))


class Matches:
    """Text of a given shape (a code: lowercase letters, digits, dashes…)."""

    def __init__(self, pattern, message: Text) -> None:
        self.pattern, self.message = pattern, message

    def __call__(self, form, field) -> None:
        if field.data and not self.pattern.match(field.data):
            raise ValidationError(self.message)
