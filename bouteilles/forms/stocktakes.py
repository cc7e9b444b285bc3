"""A stock count (inventaire): the type, the codes counted, a number of unlabelled ones."""

from __future__ import annotations

from ..services.stocktakes import MAX_QUANTITY, canonical_codes
from .base import Form, _l
from .checks import Between, Required
from .fields import ChoiceField, CodesField, WholeNumberField

SCAN_ATTRIBUTES = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "rows": 6}


def parse_counted(text: str) -> list[str]:
    """Codes one a line (or separated by spaces, commas), each counted once."""
    return canonical_codes(text.replace(",", " ").replace(";", " ").split())


class StocktakeForm(Form):
    site = ChoiceField(_l("Site compté"))
    type = ChoiceField(_l("Type compté"), [Required(_l("Choisissez le type compté."))])
    codes = CodesField(_l("Codes comptés"), parse=parse_counted, render_kw=SCAN_ATTRIBUTES,
                       description=_l("Scannez avec la caméra ou une douchette, tapez ou "
                                      "collez les codes, un par ligne."))
    quantity = WholeNumberField(_l("Sans étiquette : nombre compté (facultatif)"),
                                [Between(0, MAX_QUANTITY)])


class ResolveForm(Form):
    how = ChoiceField(_l("Suite donnée"), [Required()], choices=(
        ("declared_lost", _l("Déclarer perdus")), ("left", _l("Laisser tel quel"))))
