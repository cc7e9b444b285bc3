"""Correcting a closed batch from its page: the washing site within days of the close,
an administrator of the coordination at any time (the service says who)."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user

from ..db.database import get_session
from ..forms.washing import BatchCorrectionForm
from ..services.errors import BouteillesError
from ..services.washing.corrections import correct_batch
from .guard import guard_blueprint
from .refusals import refused_form
from .washing import _batch_context_of, _labels, _load_batch

bp = Blueprint("batch_corrections", __name__, url_prefix="/washing")
# Batch readers get in; correcting is for the batch's site and the coordination's
# administrators (services/washing/corrections.py).
guard_blueprint(bp, "batch_pages")
bp.context_processor(_labels)  # the batch's page, as the washing pages show it


@bp.post("/batches/<int:batch_id>/corrections")
def correct(batch_id: int):
    """Correct the batch's clean and rejected counts, with a reason."""
    batch = _load_batch(batch_id, for_update=True)
    form = BatchCorrectionForm()
    reread = partial(_batch_context_of, batch_id)
    if not form.validate():
        return refused_form("washing/batch.html", form, form_name="correction_form",
                            reread=reread)
    db = get_session()
    try:
        correct_batch(db, batch, actor=current_user, clean=form.clean.data,
                      rejected=form.rejects(), reason=form.reason.data)
    except BouteillesError as exc:
        return refused_form("washing/batch.html", form, exc, form_name="correction_form",
                            reread=reread)
    db.commit()
    flash(gettext("Lot %(code)s corrigé : la différence compte dans le mois en cours.",
                  code=batch.code), "success")
    return redirect(url_for("washing.batch_page", batch_id=batch.id))
