"""Who issues the impact report: the coordination administrators' form."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms.validators import ValidationError

from ..models import ReportIssuer
from ..services.impact.issuer import siret_valid
from .base import NOTE_LENGTH, Form, _l, column_length
from .checks import MaxLength, Required
from .fields import LongTextField, TextField, TickField


def _siret(form, field) -> None:
    """14 digits (spaces allowed) whose last is the Luhn key."""
    digits = "".join((field.data or "").split())
    if digits and not siret_valid(digits):
        raise ValidationError(_l("SIRET invalide : 14 chiffres dont le dernier est une clé de "
                                 "contrôle (Luhn)."))


class ReportIssuerForm(Form):
    name = TextField(_l("Nom de l'émetteur (la coopérative)"),
                     [Required(), MaxLength(column_length(ReportIssuer.name))])
    address = LongTextField(_l("Adresse"), [MaxLength(NOTE_LENGTH)], render_kw={"rows": 3})
    siret = TextField(_l("SIRET"), [MaxLength(20), _siret],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    logo = FileField(_l("Logo (PNG ou JPEG, 512 Kio au plus)"),
                     render_kw={"accept": "image/png,image/jpeg"})
    remove_logo = TickField(_l("Retirer le logo"))

    def logo_bytes(self) -> bytes | None:
        """The uploaded logo's bytes, or None when no file was chosen."""
        upload = self.logo.data
        if not upload or not getattr(upload, "filename", ""):
            return None
        try:
            return upload.read(512 * 1024 + 1)  # one byte past the limit is enough to refuse
        finally:
            upload.close()  # a large upload is a temporary file
