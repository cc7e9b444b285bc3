"""A restaurant's order of clean boxes from a washing site."""

from __future__ import annotations

from ..models import BottleRequest
from ..services.pages.winegrower import MAX_REQUEST
from .base import Form, _l, column_length
from .checks import Between, MaxLength, Required
from .fields import ChoiceField, TextField, WholeNumberField


class BoxOrderForm(Form):
    site = ChoiceField(_l("Site de lavage"), [Required()])
    type = ChoiceField(_l("Type de boîte"), [Required()])
    quantity = WholeNumberField(_l("Nombre"), [Required(_l("Indiquez combien de boîtes.")),
                                               Between(1, MAX_REQUEST)])
    note = TextField(_l("Note (facultatif)"), [MaxLength(column_length(BottleRequest.note))])
