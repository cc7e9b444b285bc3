"""What every form of the pages shares: the base class, its text, the limits.

A form checks the shape of what was typed (something is there, a number is a
number within its limits, a text fits its column, a choice is in the list:
`checks.py`, `fields.py`) and says so next to each field, all at once.
Whether the thing may be done is the services' to say; their refusal heads
the form (`Form.refuse`).

Labels and messages are French `Text` (gettext msgids, `%(name)s` fields),
shown in the reader's language when the page is rendered. The limits a
check enforces are also written into the input (`required`, `maxlength`,
`min`, `max`), so they show before typing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm
from markupsafe import escape
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import StringField
from wtforms.widgets import HiddenInput

from ..formatting import number
from ..services.errors import BouteillesError, Forbidden
from ..services.washing.site import CodeRefused

NOTE_LENGTH = 2_000  # a free text (an address, a note, a source): a paragraph or two
CODE_LENGTH = 200  # a code as typed or pasted: the code, or the address its QR holds
MAX_MEASURE = 1_000_000_000  # a metered quantity (litres, kWh, km)


class Text:
    """French text shown in the request's language when it is rendered.

    Forms are classes, made at import: their labels and messages wait for a
    request to know its language. `%` adds the values WTForms gives a message
    (`%(min)s`, `%(max)s`, `%(length)s`); numbers are written the reader's way.
    Unlike a lazy gettext string, it is escaped in a page: a message may quote
    what was typed.
    """

    __slots__ = ("template", "params")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template, self.params = template, params

    def __str__(self) -> str:
        return gettext(self.template, **{
            name: number(value) if isinstance(value, int | Decimal) else value
            for name, value in self.params.items()})

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __mod__(self, params: dict) -> Text:
        return Text(self.template, **{**self.params, **params})

    def __repr__(self) -> str:
        return f"Text({self.template!r})"


class Refusal:
    """A service's refusal, written in the page's language when shown, escaped."""

    __slots__ = ("error",)

    def __init__(self, error: BouteillesError) -> None:
        self.error = error

    def __str__(self) -> str:
        if isinstance(self.error, CodeRefused):  # about one code of a list: name it
            return gettext("« %(text)s » : %(message)s", text=self.error.text,
                           message=str(self.error))
        return str(self.error)

    def __html__(self) -> str:
        return str(escape(str(self)))


def _l(template: str, /, **params: Any) -> Text:
    """Mark French text of a form for translation; it is translated when shown."""
    return Text(template, **params)


def column_length(column: InstrumentedAttribute) -> int:
    """The length of a text column (`Organisation.name` → 200): the most a field takes."""
    return column.property.columns[0].type.length


class Form(FlaskForm):
    """A page's form: what was posted, its errors by field, the service's refusal."""

    class Meta:
        csrf = False  # CSRFProtect (auth.py) checks every POST before a view runs

    # Fields a submit button sets (name="action" value="lend"): no input of their
    # own, so their errors head the form, as do those of hidden fields.
    buttons: tuple[str, ...] = ()

    @classmethod
    def blank(cls, **data: Any):
        """The form as the page first shows it, `data` filled in, nothing posted."""
        return cls(formdata=None, data=data)

    def unseen(self, field) -> bool:
        """Whether a field has no input of its own where its error could show."""
        return field.name in self.buttons or isinstance(field.widget, HiddenInput)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if field.errors and self.unseen(field):
                self.form_errors.extend(field.errors)
        return valid

    @property
    def fields_to_fix(self) -> bool:
        """Whether an error waits next to one of the inputs."""
        return any(field.errors and not self.unseen(field) for field in self)

    def refuse(self, refusal: BouteillesError | str, field: str | None = None) -> None:
        """A refusal shown next to `field`, else at the head of the form; a refusal of
        access is no error of the form (it is raised again: a 403 page)."""
        if isinstance(refusal, Forbidden):
            raise refusal
        message = Refusal(refusal) if isinstance(refusal, BouteillesError) else refusal
        if field:
            self[field].errors = [*self[field].errors, message]
        else:
            self.form_errors.append(message)


class _Mode(Form):
    mode = StringField()


def posted_mode() -> str:
    """Which of a page's forms was sent: its hidden `mode`."""
    return _Mode().mode.data or ""
