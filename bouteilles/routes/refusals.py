"""A refused form, shown again: the one answer every page gives to a form it refuses."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template

from ..db.database import get_session
from ..forms.base import Form
from ..services.errors import BouteillesError


def refused_form(template: str, form: Form, refusal: BouteillesError | str | None = None, *,
                 field: str | None = None, form_name: str = "form", status: int = 422,
                 reread: Callable[[], dict] | None = None, **context):
    """The page again with what was typed: each check that failed next to its field,
    a service's `refusal` at the head of the form (or next to `field`); nothing of
    the request is kept (rolled back). The page gets the form as `form_name`, and
    what `reread()` reads, after the rollback (what the database holds)."""
    get_session().rollback()
    if refusal is not None:
        form.refuse(refusal, field)
    context = {**(reread() if reread is not None else {}), **context, form_name: form}
    return render_template(template, **context), status
