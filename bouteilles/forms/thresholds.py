"""A member's stock alerts: one minimum per container type it keeps in stock."""

from __future__ import annotations

from ..services.stock_thresholds import MAX_MINIMUM, ThresholdRow
from .base import Form, _l
from .checks import Between
from .fields import WholeNumberField


class ThresholdForm(Form):
    """"Prévenez-moi sous N contenants propres", a row per type; blank or 0: no alert."""

    @classmethod
    def for_rows(cls, rows: list[ThresholdRow], *, posted: bool) -> ThresholdForm:
        """The form of these types: as posted, or filled with the minimums set."""
        fields = {
            f"min_{row.type_id}": WholeNumberField(
                _l(row.type_name), [Between(0, MAX_MINIMUM)],
                render_kw={"class": "qty", "pattern": "[0-9]*"})
            for row in rows}
        form_class = type("ThresholdRowsForm", (cls,), fields)
        if posted:
            return form_class()
        return form_class.blank(**{f"min_{row.type_id}": row.minimum for row in rows})

    def minimums(self) -> dict[int, int | None]:
        """type id → the minimum typed (None: blank)."""
        return {int(field.name.removeprefix("min_")): field.data
                for field in self if field.name.startswith("min_")}
