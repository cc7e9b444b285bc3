"""Event tableware loans: what is lent, and what came back."""

from __future__ import annotations

from ..models import Loan
from ..services.loans import COUNT_FIELDS, MAX_QUANTITY
from .base import NOTE_LENGTH, Form, _l, column_length
from .checks import Between, MaxLength, Required
from .fields import ChoiceField, DayField, LongTextField, TextField, WholeNumberField

COUNT_LABELS = {"returned": _l("Rendus"), "broken": _l("Cassés"), "missing": _l("Manquants")}


def count_field(label) -> WholeNumberField:
    return WholeNumberField(label, [Between(0, MAX_QUANTITY)],
                            render_kw={"class": "qty", "pattern": "[0-9]*"})


class LoanForm(Form):
    """A loan; `for_types` adds a quantity per type (`qty-<type code>`)."""

    borrower = ChoiceField(_l("Organisateur de l'événement"), [
        Required(_l("Choisissez l'organisateur de l'événement."))])
    event_name = TextField(_l("Événement"), [Required(_l("Nommez l'événement.")),
                                             MaxLength(column_length(Loan.event_name))])
    event_date = DayField(_l("Date de l'événement"))
    note = LongTextField(_l("Note"), [MaxLength(NOTE_LENGTH)], render_kw={"rows": 2})
    types: tuple = ()  # the container types lent, each with its quantity field

    @classmethod
    def for_types(cls, types, borrowers, *, posted: bool) -> LoanForm:
        """The form lending these types to one of these organisers: as posted, or blank."""
        fields = {f"qty-{t.code}": count_field(t.name) for t in types}
        form_class = type(cls.__name__, (cls,), {**fields, "types": tuple(types)})
        form = form_class() if posted else form_class.blank()
        form.borrower.choices = [("", _l("— choisir —")), *((o.code, o.name) for o in borrowers)]
        return form

    def quantity(self, code: str):
        return self[f"qty-{code}"]

    def quantities(self) -> dict[str, int]:
        """The quantities typed, by type code."""
        return {t.code: self.quantity(t.code).data for t in self.types
                if self.quantity(t.code).data}


class LoanCheckForm(Form):
    """What came back: `for_lines` adds returned, broken and missing per line."""

    buttons = ("do",)
    do = ChoiceField(choices=[("save", "save"), ("close", "close")], default="save")
    type_codes: tuple[str, ...] = ()

    @classmethod
    def for_lines(cls, lines, *, posted: bool) -> LoanCheckForm:
        """The check of a loan's lines: as posted, or as recorded so far."""
        fields = {f"{field}-{line.type.code}": count_field(COUNT_LABELS[field])
                  for line in lines for field in COUNT_FIELDS}
        form_class = type(cls.__name__, (cls,), {
            **fields, "type_codes": tuple(line.type.code for line in lines)})
        if posted:
            return form_class()
        return form_class.blank(**{f"{field}-{line.type.code}": getattr(line, field)
                                   for line in lines for field in COUNT_FIELDS})

    def count(self, field: str, code: str):
        return self[f"{field}-{code}"]

    def counts(self) -> dict[str, dict[str, int | None]]:
        """The counts by type code, as the service takes them."""
        return {code: {field: self.count(field, code).data for field in COUNT_FIELDS}
                for code in self.type_codes}
