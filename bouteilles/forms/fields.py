"""The fields of the pages' forms: text, codes, counts, measures, days, choices.

A field keeps what was typed (shown again as it was) and holds in `data` what
the services take (a stripped text, an int, a Decimal, a date, a list of codes).
Text that does not parse is that field's one error.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation
from wtforms.widgets import DateInput, TextInput

from ..services import periods
from ..services.errors import BouteillesError
from .base import Refusal, _l


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _Checked:
    """A field whose typed text did not parse stops there: one message, not two."""

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()


class TextField(StringField):
    """One line of text, without the spaces around it."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, filters=[_strip], **kwargs)

    def pre_validate(self, form) -> None:
        if self.data and "\x00" in self.data:  # no database stores it
            raise StopValidation(_l("Ce texte contient un caractère invalide."))


class LongTextField(TextAreaField):
    """A few lines of text (an address, a note), without the spaces around it."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, filters=[_strip], **kwargs)

    pre_validate = TextField.pre_validate


class SlugField(TextField):
    """A code such as `resto-la-marmite`: kept as typed on the page, lowercased in `data`."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        self.data = (self.data or "").lower()

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else (self.data or "")


class WholeNumberField(_Checked, IntegerField):
    """A count: digits (a minus sign is read, for `Between` to say the range), the
    phone shows its number pad."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs["render_kw"] = {"inputmode": "numeric", **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        digits = text.removeprefix("-")
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 15:
            raise ValueError(_l("Un nombre entier, en chiffres (« %(text)s » n'en est pas un).",
                                text=text[:20]))
        self.data = int(text)


class DecimalNumberField(_Checked, Field):
    """A measure, typed with a comma or a point (350,5 or 350.5)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs["render_kw"] = {"inputmode": "decimal", **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist) -> None:
        typed = str(valuelist[0]).strip() if valuelist else ""
        text = typed.replace(",", ".").replace("\u202f", "").replace(" ", "")
        self.data = None
        if not text:
            return
        try:
            number = Decimal(text) if len(text) <= 30 else Decimal("NaN")
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValueError(_l("Un nombre, par exemple 12,5 (« %(text)s » n'en est pas un).",
                                text=typed[:20]))
        self.data = number

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class DayField(_Checked, Field):
    """A day (YYYY-MM-DD) within the years the network serves."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs["render_kw"] = {"min": f"{periods.FIRST_YEAR}-01-01",
                               "max": f"{periods.LAST_YEAR}-12-31",
                               **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if text:
            self.data = parsed(periods.parse_day, text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if self.data else ""


class CodesField(_Checked, TextAreaField):
    """Codes scanned, typed or pasted; `codes` holds them, `data` the text as typed."""

    def __init__(self, label=None, validators=None, *, parse, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.parse, self.codes = parse, []

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        self.codes = parsed(self.parse, self.data) if (self.data or "").strip() else []


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms takes a list's options."""
    return [pair if isinstance(pair, SelectChoice) else SelectChoice(*pair) for pair in pairs]


class ChoiceField(SelectField):
    """One of a list; an optional one may be left empty. The page may set `choices`
    ((value, label) pairs) for each request."""

    def __init__(self, label=None, validators=None, *, choices=(), **kwargs) -> None:
        kwargs.setdefault("invalid_choice_message", _l("Choisissez dans la liste."))
        super().__init__(label, validators, choices=options(choices), **kwargs)

    @property
    def choices(self):
        return SelectField.choices.fget(self)

    @choices.setter
    def choices(self, pairs) -> None:
        SelectField.choices.fset(self, options(pairs))

    def pre_validate(self, form) -> None:
        if self.data in (None, "") and not self.flags.required:
            return
        super().pre_validate(form)


class TickField(BooleanField):
    """A tick box sending "1"."""

    false_values = (False, "false", "", "0")

    def _value(self) -> str:
        return "1"


def parsed(parse, text: str):
    """`parse(text)`, a service's parser; its refusal becomes the field's error."""
    try:
        return parse(text)
    except BouteillesError as exc:
        raise ValueError(Refusal(exc)) from None
