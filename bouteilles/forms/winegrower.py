"""A winegrower's forms: ask a washing site for clean bottles, record a bottling."""

from __future__ import annotations

from ..models import BottleRequest
from ..services.pages.winegrower import MAX_REQUEST
from .base import Form, _l, column_length
from .checks import Between, MaxLength, Required
from .fields import ChoiceField, TextField, WholeNumberField
from .washing import codes_field


class BottleRequestForm(Form):
    type = ChoiceField(_l("Modèle"), [Required()])
    quantity = WholeNumberField(_l("Nombre"), [Required(_l("Indiquez combien de bouteilles.")),
                                               Between(1, MAX_REQUEST)])
    site = ChoiceField(_l("Site de lavage"), [Required()])
    note = TextField(_l("Note (facultatif)"), [MaxLength(column_length(BottleRequest.note))])


class FillForm(Form):
    codes = codes_field(_l("Caisses remplies (codes)"), rows=2)
