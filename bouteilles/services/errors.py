"""The domain's exceptions; routes/errors.py maps them to HTTP answers.

A refusal's message is French text made translatable where it is raised:
`raise NotFound(_l("Aucun lot %(id)s.", id=batch_id))`, with Flask-Babel's
`lazy_gettext as _l` (or `lazy_ngettext` for a count). It is written in the
reader's language when it is shown (`str(exc)`), so a service needs no
request. Texts kept in a table are marked with `i18n.N_` and raised with
`_l(text, **params)`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class BouteillesError(Exception):
    """Base of every refusal: `message` is translated when shown (`str(exc)`); `details`:
    for input of the wrong shape, one `FieldError` per fault."""

    code = "error"
    status = 400
    details: tuple[FieldError, ...] = ()

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class ValidationError(BouteillesError):
    code, status = "validation", 422


class FieldError(ValidationError):
    """What is wrong with one field of the input (`field`: its dotted path)."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(message)
        self.field = field


class InvalidInput(ValidationError):
    """Input that does not have the shape its schema describes: every fault at once."""

    def __init__(self, details: list[FieldError]) -> None:
        if len(details) == 1:
            super().__init__(details[0].args[0])
        else:
            super().__init__(_l("%(count)s champs à corriger : %(fields)s.", count=len(details),
                                fields=", ".join(d.field for d in details)))
        self.details = tuple(details)


class UnknownCode(BouteillesError):
    code, status = "unknown_code", 404


class NotFound(BouteillesError):
    code, status = "not_found", 404


class InvalidTransition(BouteillesError):
    code, status = "invalid_transition", 409


class Conflict(BouteillesError):
    code, status = "conflict", 409


class Contended(Conflict):
    """A conflict of the moment (another request moving the same thing): the same
    request may succeed when sent again, so no idempotency key remembers it."""


class Forbidden(BouteillesError):
    code, status = "forbidden", 403


class Unauthorized(BouteillesError):
    code, status = "unauthorized", 401
