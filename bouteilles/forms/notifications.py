"""A user's notification settings: for each kind they may get, how often."""

from __future__ import annotations

from wtforms import RadioField

from ..services.notifications.kinds import Kind
from ..services.notifications.preferences import choices_of
from .base import Form, Text, _l
from .fields import options

FREQUENCY_LABELS = {"daily": _l("Chaque jour"), "weekly": _l("Une fois par semaine"),
                    "off": _l("Jamais")}
MONTHLY_LABELS = {"daily": _l("Oui"), "off": _l("Non")}


class SettingsForm(Form):
    """One radio group per kind, added by `settings_form`."""


def settings_form(kinds: list[Kind], current: dict[str, str], *, posted: bool):
    """The form for these kinds, showing `current` (or what was posted)."""
    fields = {}
    for kind in kinds:
        labels = MONTHLY_LABELS if kind.monthly else FREQUENCY_LABELS
        fields[kind.code] = RadioField(
            Text(kind.label), description=Text(kind.description),
            choices=options([(value, labels[value]) for value in choices_of(kind)]),
            invalid_choice_message=_l("Choisissez dans la liste."))
    form_class = type("UserSettingsForm", (SettingsForm,), fields)
    if posted:
        return form_class()
    return form_class.blank(**current)
