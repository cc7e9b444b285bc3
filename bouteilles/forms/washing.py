"""The washing site's forms: receive, sort, open, fill, close, correct and release a
batch, deliver against a winegrower's request."""

from __future__ import annotations

from ..services.washing.batches import MAX_COUNT
from ..services.washing.corrections import MAX_REASON
from ..services.washing.site import parse_codes
from ..vocabulary import REASON_LABELS, REJECT_REASONS
from .base import CODE_LENGTH, MAX_MEASURE, Form, Text, _l, posted_mode
from .checks import Between, MaxLength, Required
from .fields import (
    ChoiceField,
    CodesField,
    DecimalNumberField,
    LongTextField,
    TextField,
    TickField,
    WholeNumberField,
)

MAX_CLOSE = 10_000_000  # the counts of a close: a batch may run for days
TRANSPORT_ROWS = 2  # legs of the collection's transport a close records
SCAN_ATTRIBUTES = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


def codes_field(label: Text, *, required: bool = True, rows: int = 4) -> CodesField:
    """Codes from a scanner (one a line), typed or pasted."""
    checks = [Required(_l("Scannez ou tapez au moins un code."))] if required else []
    return CodesField(label, checks, parse=parse_codes,
                      render_kw={"rows": rows, **SCAN_ATTRIBUTES})


def with_rejects(form_class: type[Form], high: int) -> type[Form]:
    """Add a count per reject reason (`reject_broken`, …) to a form."""
    for reason in REJECT_REASONS:
        setattr(form_class, f"reject_{reason}", WholeNumberField(
            Text(REASON_LABELS[reason]), [Between(0, high)]))
    return form_class


class Rejects:
    def rejects(self) -> dict[str, int]:
        """The rejected counts by reason (0 where nothing was typed)."""
        return {reason: self[f"reject_{reason}"].data or 0 for reason in REJECT_REASONS}


class ReceiveCodesForm(Form):
    codes = codes_field(_l("Codes des caisses ou contenants"))


class ReceiveCountForm(Form):
    type = ChoiceField(_l("Type"), [Required()])
    quantity = WholeNumberField(_l("Quantité comptée"), [
        Required(_l("Indiquez la quantité comptée.")), Between(1, MAX_COUNT)])


def receive_form() -> ReceiveCodesForm | ReceiveCountForm:
    """The receive page's form that was posted: codes, or a count."""
    return ReceiveCountForm() if posted_mode() == "count" else ReceiveCodesForm()


class SortCodesForm(Form):
    codes = codes_field(_l("Codes scannés"))
    reason = ChoiceField(_l("Résultat"), choices=[("", _l("Bon pour le lavage")), *(
        (reason, Text("Écarté : %(reason)s", reason=Text(REASON_LABELS[reason])))
        for reason in REJECT_REASONS)])


class SortCrateForm(Rejects, Form):
    crate = TextField(_l("Code de la caisse"), [Required(), MaxLength(CODE_LENGTH)],
                      render_kw=SCAN_ATTRIBUTES)


with_rejects(SortCrateForm, MAX_COUNT)


def sort_form() -> SortCodesForm | SortCrateForm:
    """The sort page's form that was posted: codes, or a crate split by count."""
    return SortCrateForm() if posted_mode() == "crate" else SortCodesForm()


class OpenBatchForm(Form):
    type = ChoiceField(_l("Ouvrir un lot pour le type"), [Required()])


class BatchInputsForm(Form):
    codes = codes_field(_l("Codes scannés (caisses ou contenants triés)"), required=False,
                        rows=3)
    count = WholeNumberField(_l("Et/ou nombre compté"), [Between(0, MAX_COUNT)])

    def limit_count(self, high: int) -> BatchInputsForm:
        """The most one count may add (the app's MAX_BATCH_INPUT), checked and shown."""
        self.count.validators = [Between(0, high)]
        self.count.flags.max = high
        return self

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.codes.codes and not self.count.data:
            self.form_errors.append(_l("Scannez des codes ou indiquez un nombre."))
            return False
        return True


def measure(label: Text) -> DecimalNumberField:
    return DecimalNumberField(label, [Between(0, MAX_MEASURE)])


class BatchCloseForm(Rejects, Form):
    clean = WholeNumberField(_l("Propres"), [Required(_l("Indiquez le nombre de propres.")),
                                             Between(0, MAX_CLOSE)])
    # Shown when the inputs are above ten times the site's usual batch; the
    # service refuses the close without it then.
    confirm_unusual = TickField(_l("Je confirme le nombre d'entrées de ce lot."))
    water_l = measure(_l("Eau (L)"))
    electricity_kwh = measure(_l("Électricité (kWh)"))
    gas_kwh = measure(_l("Gaz (kWh)"))
    hours_worked = measure(_l("Heures travaillées sur le lot"))
    insertion_hours = measure(_l("dont heures en insertion"))

    def legs(self) -> list[tuple]:
        """The distance and vehicle fields of each leg of transport."""
        return [(self[f"km_{i}"], self[f"mode_{i}"]) for i in range(TRANSPORT_ROWS)]

    def transport(self) -> list[dict]:
        """The legs whose distance was typed, as the service takes them."""
        return [{"km": float(km.data), "mode": mode.data} for km, mode in self.legs()
                if km.data is not None]


with_rejects(BatchCloseForm, MAX_CLOSE)
for _leg in range(TRANSPORT_ROWS):
    setattr(BatchCloseForm, f"km_{_leg}",
            measure(_l("Trajet %(n)s : distance (km)", n=_leg + 1)))
    setattr(BatchCloseForm, f"mode_{_leg}", ChoiceField(_l("Véhicule"), choices=[
        ("van", _l("Utilitaire (par km)")), ("truck", _l("Camion sous-traité (par t·km)"))],
        default="van"))


class BatchCorrectionForm(Rejects, Form):
    clean = WholeNumberField(_l("Propres"), [Required(_l("Indiquez le nombre de propres.")),
                                             Between(0, MAX_CLOSE)])
    reason = LongTextField(_l("Motif de la correction"), [
        Required(_l("Dites pourquoi le lot est corrigé.")), MaxLength(MAX_REASON)],
        description=_l("Par exemple : 12 bouteilles ébréchées comptées propres par erreur."),
        render_kw={"rows": 2})


with_rejects(BatchCorrectionForm, MAX_CLOSE)


class ReleaseForm(Form):
    size = WholeNumberField(
        _l("Répartir en caisses de"),
        [Required(_l("Indiquez combien de bouteilles par caisse.")), Between(1, MAX_COUNT)],
        description=_l("La caisse de sortie garde ce nombre ; le reste part dans de "
                       "nouvelles caisses avec leurs étiquettes."))


class FulfilForm(Form):
    # Not required here: the service says first whether this site may deliver at all.
    codes = codes_field(_l("Caisses propres à livrer (codes)"), required=False, rows=2)
