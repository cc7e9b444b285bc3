"""Ownership transfers by the coordination: one object from its page, a list of codes."""

from __future__ import annotations

from ..services.movements import MAX_TRANSFER
from ..services.washing.site import parse_codes
from .base import Form, _l
from .checks import Required
from .fields import ChoiceField, CodesField

SCAN_ATTRIBUTES = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


def _new_owner() -> ChoiceField:
    return ChoiceField(_l("Nouveau propriétaire"),
                       [Required(_l("Choisissez le nouveau propriétaire."))])


class TransferForm(Form):
    """The organisation that owns the object from now on (the page sets the choices)."""

    to = _new_owner()


class BulkTransferForm(Form):
    """Codes scanned, typed or pasted, and their new owner."""

    to = _new_owner()
    codes = CodesField(_l("Codes des contenants ou caisses"),
                       [Required(_l("Scannez ou tapez au moins un code."))],
                       parse=lambda text: parse_codes(text, limit=MAX_TRANSFER),
                       render_kw={"rows": 6, **SCAN_ATTRIBUTES})


def with_owners(form: TransferForm | BulkTransferForm,
                owners: list[tuple[str, str]]) -> TransferForm | BulkTransferForm:
    """The form offering `owners` ((code, name) pairs) as the new owner."""
    form.to.choices = [("", "—"), *owners]
    return form
