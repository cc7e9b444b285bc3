"""The import page's two forms: the file to check, then the checked rows to import."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField

from ..services.imports import KINDS, MAX_BYTES
from .base import Form, Text, _l
from .checks import Required
from .fields import ChoiceField

ACCEPT = (".csv,.xlsx,text/csv,"
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class ImportForm(Form):
    kind = ChoiceField(_l("Le fichier contient"), [Required()],
                       choices=[(code, Text(kind.label)) for code, kind in KINDS.items()])
    upload = FileField(_l("Fichier CSV (UTF-8, « ; » ou « , ») ou XLSX"),
                       description=_l("1 Mio et 5 000 lignes au plus (100 utilisateurs) ; la "
                                      "première ligne nomme les colonnes."),
                       render_kw={"accept": ACCEPT})

    def file_bytes(self) -> bytes | None:
        """The chosen file's bytes (one past the limit at most), or None: no file."""
        upload = self.upload.data
        if not upload or not getattr(upload, "filename", ""):
            self.upload.errors = [*self.upload.errors, _l("Choisissez un fichier.")]
            return None
        try:
            return upload.read(MAX_BYTES + 1)
        finally:
            upload.close()


class ImportConfirmForm(Form):
    """The preview's button: the rows checked, carried signed (`routes/imports.py`)."""

    kind = HiddenField()
    rows = HiddenField()
