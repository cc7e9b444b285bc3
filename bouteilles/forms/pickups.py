"""A member's request to be collected ("bac plein")."""

from __future__ import annotations

from ..models import PickupRequest
from .base import Form, _l, column_length
from .checks import MaxLength
from .fields import LongTextField


class PickupForm(Form):
    note = LongTextField(_l("Note pour le collecteur (facultatif)"),
                         [MaxLength(column_length(PickupRequest.note))],
                         description=_l("Combien de bacs, où sonner, quand passer…"))
