"""The domain's exceptions; routes/errors.py maps them to HTTP answers."""

from __future__ import annotations


class BouteillesError(Exception):
    """Base of every refusal. `template` is French text with {named} fields."""

    code = "error"
    status = 400

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template.format(**params) if params else template)
        self.template = template
        self.params = params


class ValidationError(BouteillesError):
    code, status = "validation", 422


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
