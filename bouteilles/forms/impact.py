"""The coordination's impact factor sets: a value, a unit and a source per factor."""

from __future__ import annotations

from flask import request

from ..models import Factor, FactorSet
from ..services.impact.factor_sets import CODE_RE, KEY_RE, MAX_VALUE, FactorInput
from ..services.impact.figures import FACTOR_KEYS
from .base import NOTE_LENGTH, Form, _l, column_length
from .checks import Between, Matches, MaxLength, Required
from .fields import DayField, DecimalNumberField, LongTextField, SlugField, TextField

MAX_KEYS = 50  # the factors a set may have: the known ones and a few more


class FactorSetForm(Form):
    """A set's name and start; `with_keys` adds a value, a unit and a source per factor."""

    name = TextField(_l("Nom"), [Required(), MaxLength(column_length(FactorSet.name))])
    valid_from = DayField(_l("Valable à partir du"), [Required()])
    keys: tuple[str, ...] = ()

    @classmethod
    def with_keys(cls, keys) -> type[FactorSetForm]:
        """The form of a set with these factors (the known ones first)."""
        keys = tuple(FACTOR_KEYS) + tuple(sorted(set(keys) - set(FACTOR_KEYS)))
        fields = {"keys": keys}
        for key in keys:
            fields[f"value_{key}"] = DecimalNumberField(
                _l("Valeur"), [Required(), Between(0, MAX_VALUE)])
            fields[f"low_{key}"] = DecimalNumberField(_l("Plage basse"), [Between(0, MAX_VALUE)])
            fields[f"high_{key}"] = DecimalNumberField(_l("Plage haute"),
                                                       [Between(0, MAX_VALUE)])
            fields[f"unit_{key}"] = TextField(
                _l("Unité"), [Required(), MaxLength(column_length(Factor.unit))])
            fields[f"source_{key}"] = LongTextField(
                _l("Source"), [Required(), MaxLength(NOTE_LENGTH)], render_kw={"rows": 2})
        return type(cls.__name__, (cls,), fields)

    @classmethod
    def posted(cls) -> FactorSetForm:
        """The set that was posted: the known factors and any other sent."""
        sent = [name[len("value_"):] for name in request.form if name.startswith("value_")]
        return cls.with_keys([key for key in sent if KEY_RE.match(key)][:MAX_KEYS])()

    def row(self, key: str) -> tuple:
        """The value, range, unit and source fields of one factor."""
        return (self[f"value_{key}"], self[f"low_{key}"], self[f"high_{key}"],
                self[f"unit_{key}"], self[f"source_{key}"])

    def factors(self) -> dict[str, FactorInput]:
        """The factors as the service takes them."""
        def text(field) -> str:
            return "" if field.data is None else str(field.data)
        return {key: FactorInput(str(value.data), unit.data, source.data, text(low), text(high))
                for key in self.keys for value, low, high, unit, source in [self.row(key)]}


class NewFactorSetForm(FactorSetForm):
    code = SlugField(_l("Code (nouveau)"), [
        Required(), MaxLength(column_length(FactorSet.code)),
        Matches(CODE_RE, _l("Code : 2 à 64 caractères, minuscules, chiffres, « . », « - » "
                            "ou « _ »."))],
        render_kw={"placeholder": "fr-2027-1", "autocomplete": "off"})


def form_of(factor_set: FactorSet, form_class: type[FactorSetForm], **data) -> FactorSetForm:
    """The form showing a set's factors, `data` (name, start, code) filled in."""
    form_class = form_class.with_keys(f.key for f in factor_set.factors)
    for f in factor_set.factors:
        data |= {f"value_{f.key}": str(f.value), f"unit_{f.key}": f.unit,
                 f"source_{f.key}": f.source,
                 f"low_{f.key}": "" if f.low is None else str(f.low),
                 f"high_{f.key}": "" if f.high is None else str(f.high)}
    return form_class.blank(**data)
