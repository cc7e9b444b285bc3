"""Forms of the pallets filled at the washing site, and of the coordination's flag on
a producer's labels."""

from __future__ import annotations

from ..services.movements import MAX_CAPACITY
from ..services.washing.pallets import DEFAULT_CAPACITY
from .base import Form, _l
from .checks import Between, MaxLength, Required
from .fields import ChoiceField, LongTextField, WholeNumberField

MAX_NOTE = 500


class OpenPalletForm(Form):
    type = ChoiceField(_l("Type de bouteille"), [Required()])
    capacity = WholeNumberField(
        _l("Capacité (bouteilles)"),
        [Required(_l("Indiquez la capacité de la palette.")), Between(1, MAX_CAPACITY)],
        default=DEFAULT_CAPACITY)


class TopUpForm(Form):
    source = ChoiceField(_l("Depuis la caisse propre"), [Required(
        _l("Choisissez la caisse d'où viennent les bouteilles."))])
    quantity = WholeNumberField(_l("Nombre de bouteilles"), [
        Required(_l("Indiquez combien de bouteilles ajouter.")), Between(1, MAX_CAPACITY)])


class FlagForm(Form):
    note = LongTextField(_l("Note (ce qui ne part pas, conseil donné)"), [MaxLength(MAX_NOTE)],
                         render_kw={"rows": 2})
