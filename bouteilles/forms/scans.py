"""Scans typed on a page: the restaurant's counter and the collector's run."""

from __future__ import annotations

import re

from wtforms import HiddenField

from ..models import IdempotentResponse
from .base import CODE_LENGTH, Form, _l, column_length
from .checks import Matches, MaxLength, Required
from .fields import ChoiceField, TextField

KEY = re.compile(r"[A-Za-z0-9._:-]*\Z")  # the page's key is a UUID
SCANNED = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class ScanForm(Form):
    """A code and the button pressed; `key` makes a second tap replay the first answer."""

    buttons = ("action",)
    key = HiddenField(validators=[
        MaxLength(column_length(IdempotentResponse.key)),
        Matches(KEY, _l("Formulaire abîmé : rechargez la page et recommencez."))])


class CounterForm(ScanForm):
    code = TextField(_l("Code de la boîte"), [
        Required(_l("Tapez ou collez le code de la boîte.")), MaxLength(CODE_LENGTH)],
        description=_l("Tapez ou collez le code (ou l'adresse du QR)."),
        render_kw={**SCANNED, "inputmode": "text"})
    action = ChoiceField(validators=[Required(_l("Choisissez « Prêter » ou « Reprendre »."))],
                         choices=[("lend", "lend"), ("return", "return")],
                         invalid_choice_message=_l("Choisissez « Prêter » ou « Reprendre »."))


class RunScanForm(ScanForm):
    code = TextField(_l("Code du contenant ou de la caisse"), [
        Required(_l("Tapez ou collez un code.")), MaxLength(CODE_LENGTH)], render_kw=SCANNED)
    to = ChoiceField(_l("Site de lavage (pour livrer)"))
    action = ChoiceField(validators=[Required(_l("Action inconnue."))],
                         choices=[("collect", "collect"), ("deliver", "deliver")],
                         invalid_choice_message=_l("Action inconnue."))


class DeliverAllForm(Form):
    to = ChoiceField(_l("Tout livrer à"), [Required()])
