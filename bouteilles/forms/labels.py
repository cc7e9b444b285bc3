"""Printing QR labels: the sheet, and either new codes or codes that exist."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import ValidationError

from ..services.labels.minting import parse_code_list
from ..services.labels.rendering import LAYOUTS
from .base import Form, _l, posted_mode
from .checks import Between, Required
from .fields import ChoiceField, CodesField, TickField, WholeNumberField, options

MAX_PAGE_LABELS = 2_000  # labels one form prints at a time
MOST_SKIPPED = max(layout.per_page for layout in LAYOUTS.values()) - 1


class SheetForm(Form):
    """The sheet: its layout, the cells already used, outlines, GS1 Digital Link."""

    layout = ChoiceField(_l("Format"), [Required()], default="3x8", choices=[
        (name, f"{name} · {layout.product}") for name, layout in LAYOUTS.items()])
    skip = WholeNumberField(_l("Cases déjà utilisées sur la première planche"),
                            [Between(0, MOST_SKIPPED)], default=0)
    outlines = TickField(_l("Tracer le contour des étiquettes (essai sur papier)"))
    gs1 = TickField(_l("QR au format GS1 Digital Link (GRAI)"))

    def validate_skip(self, field) -> None:
        layout = LAYOUTS.get(self.layout.data)
        if layout is not None and field.data is not None and field.data >= layout.per_page:
            raise ValidationError(_l("Un nombre de %(low)s à %(high)s sur cette planche.",
                                     low=0, high=layout.per_page - 1))


class NewLabelsForm(SheetForm):
    count = WholeNumberField(_l("Nombre d'étiquettes"), [Required(),
                                                          Between(1, MAX_PAGE_LABELS)],
                             default=24)
    type = ChoiceField(_l("Type de contenant"), [Required()])
    commission = RadioField(_l("Mise en service"), default="now", choices=options([
        ("now", _l("Tout de suite, propres, chez :")),
        ("first_scan", _l("Au premier scan (par un site de lavage ou la coordination)"))]),
        invalid_choice_message=_l("Choisissez dans la liste."))
    holder = ChoiceField(_l("Détenteur"))


class ExistingLabelsForm(SheetForm):
    codes = CodesField(_l("Codes, un par ligne"), [Required(_l("Indiquez au moins un code."))],
                       parse=parse_code_list,
                       render_kw={"rows": 6, "spellcheck": "false",
                                  "autocapitalize": "characters"})

    def validate_codes(self, field) -> None:
        if len(field.codes) > MAX_PAGE_LABELS:
            raise ValidationError(_l("Au plus %(n)s étiquettes à la fois.", n=MAX_PAGE_LABELS))


def labels_form() -> NewLabelsForm | ExistingLabelsForm:
    """The form the labels page posted: new codes, or codes that exist."""
    return ExistingLabelsForm() if posted_mode() == "existing" else NewLabelsForm()
