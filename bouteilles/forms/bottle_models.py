"""The national coordination's form of a bottle model."""

from __future__ import annotations

from ..models import BottleModel
from ..services.members.management import MAX_MASS_G, MAX_VOLUME_ML
from ..vocabulary import GLASS_COLOUR_LABELS, GLASS_COLOURS
from .admin import slug_field
from .base import Form, Text, _l, column_length
from .checks import Between, MaxLength, Required
from .fields import ChoiceField, TextField, WholeNumberField


class BottleModelForm(Form):
    name = TextField(_l("Nom"), [Required(), MaxLength(column_length(BottleModel.name))],
                     description=_l("La forme et le format, par exemple « Bourgogne 75 cl »."))
    mould_ref = TextField(_l("Référence du moule (facultatif)"),
                          [MaxLength(column_length(BottleModel.mould_ref))],
                          render_kw={"autocomplete": "off"})
    colour = ChoiceField(_l("Teinte du verre"), [Required()], choices=[
        ("", _l("Choisir…")),
        *((colour, Text(GLASS_COLOUR_LABELS[colour])) for colour in GLASS_COLOURS)])
    volume_ml = WholeNumberField(_l("Volume (ml)"), [Required(), Between(1, MAX_VOLUME_ML)],
                                 description=_l("75 cl = 750 ml ; un clavelin : 620 ml."))
    mass_g = WholeNumberField(_l("Masse de verre (g)"), [Required(), Between(1, MAX_MASS_G)])
    glassworks = TextField(_l("Verrerie (facultatif)"),
                           [MaxLength(column_length(BottleModel.glassworks))],
                           description=_l("Par exemple Verallia, Saverglass, Estal."))

    FIELDS = ("name", "mould_ref", "colour", "volume_ml", "mass_g", "glassworks")

    @classmethod
    def of(cls, model: BottleModel) -> BottleModelForm:
        """The form showing a model as it is."""
        return cls.blank(**{field: getattr(model, field) for field in cls.FIELDS})

    def values(self) -> dict:
        """The model's fields as the service takes them."""
        return {field: self[field].data for field in self.FIELDS}


class NewBottleModelForm(BottleModelForm):
    code = slug_field(_l("Code (minuscules, chiffres, tirets)"), BottleModel.code)
