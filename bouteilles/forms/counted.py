"""Boxes taken back by count at the rush, refunded without a scan."""

from __future__ import annotations

from ..services.movements import MAX_COUNTED_RETURN
from .base import Form, _l
from .checks import Between, MaxLength, Required
from .fields import ChoiceField, TextField, WholeNumberField


class CountedReturnForm(Form):
    """How many boxes of one type were taken back and refunded."""

    type = ChoiceField(_l("Type de boîte"), [Required(_l("Choisissez le type de boîte."))])
    count = WholeNumberField(_l("Boîtes reprises et remboursées"), [
        Required(_l("Combien de boîtes ?")), Between(1, MAX_COUNTED_RETURN)],
        render_kw={"class": "qty", "pattern": "[0-9]*"})
    note = TextField(_l("Note (facultatif)"), [MaxLength(200)])

    @classmethod
    def for_types(cls, types, *, posted: bool) -> CountedReturnForm:
        """The form for these container types: as posted, or blank."""
        form = cls() if posted else cls.blank()
        form.type.choices = [("", _l("— choisir —")),
                             *((t.code, t.name) for t in types)]
        if not posted and len(types) == 1:
            form.type.data = types[0].code
        return form
