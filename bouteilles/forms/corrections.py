"""Corrections of the record by the coordination: an item's latest event undone, a
damaged label replaced."""

from __future__ import annotations

from ..services.movements import MAX_UNDO_REASON
from .base import CODE_LENGTH, Form, _l
from .checks import MaxLength, Required
from .fields import TextField


class UndoForm(Form):
    """Why the item's latest event is undone (kept with the undo)."""

    reason = TextField(_l("Motif de la correction"), [
        Required(_l("Dites pourquoi ce mouvement est annulé.")), MaxLength(MAX_UNDO_REASON)])


class RelabelForm(Form):
    """The new label: a blank one of the network, or none (a code is minted)."""

    new_code = TextField(_l("Nouvelle étiquette (facultatif)"), [MaxLength(CODE_LENGTH)],
                         render_kw={"autocomplete": "off"})
