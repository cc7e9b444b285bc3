"""A month's settlement marked paid, or its mark cancelled: which one (hidden), how,
when and with what reference."""

from __future__ import annotations

from wtforms import HiddenField

from ..models import PAYMENT_METHODS
from ..services.settlements import METHOD_LABELS, REFERENCE_LENGTH
from .base import Form, _l
from .checks import MaxLength, Required
from .fields import ChoiceField, DayField, TextField

# The page a form goes back to: the restaurant's, another member's, the coordination's.
BACK_PAGES = ("restaurant", "member", "coordination")


class SettlementForm(Form):
    """Names the month's settlement of one pair (hidden: filled in by the page)."""

    month = HiddenField(validators=[Required(_l("Le mois manque."))])
    payer = HiddenField(validators=[Required(_l("Le membre qui paie manque."))])
    payee = HiddenField(validators=[Required(_l("Le membre payé manque."))])
    back = HiddenField()

    def back_page(self) -> str:
        return self.back.data if self.back.data in BACK_PAGES else "member"


class MarkPaidForm(SettlementForm):
    """How and when it was paid."""

    method = ChoiceField(_l("Mode de paiement"),
                         [Required(_l("Choisissez le mode de paiement."))],
                         choices=[("", _l("— choisir —")),
                                  *((m, _l(METHOD_LABELS[m])) for m in PAYMENT_METHODS)])
    paid_on = DayField(_l("Payé le"), [Required(_l("Indiquez le jour du paiement."))])
    reference = TextField(_l("Référence (facultatif)"), [MaxLength(REFERENCE_LENGTH)],
                          description=_l("N° de chèque, libellé du virement…"))
