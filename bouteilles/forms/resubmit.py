"""A form whose CSRF token expired, sent again as it was typed (routes/errors.py)."""

from __future__ import annotations

from flask import request
from wtforms import PasswordField

from .account import LoginForm, PasswordForm

# Never written back into a page: the passwords, and the stale token itself.
SECRET_FIELDS = frozenset(name for form in (LoginForm, PasswordForm)
                          for name, field in vars(form).items()
                          if getattr(field, "field_class", None) is PasswordField)


def resent_fields() -> tuple[list[tuple[str, str]], bool]:
    """The posted fields to send again (all but passwords and the token), and
    whether passwords were left out (to be typed again)."""
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in SECRET_FIELDS | {"csrf_token"}]
    return fields, any(name in SECRET_FIELDS for name in request.form)
