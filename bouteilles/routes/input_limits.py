"""What any request may carry, for every route: ids a database column holds, JSON it can store.

Each limit turns input that would break deep inside a driver (an overflow, a
recursion, an encoding error: a 500) into a plain 404 or 422 at the door.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.routing.converters import IntegerConverter

from ..models import MAX_ID
from ..services.errors import ValidationError

MAX_JSON_DEPTH = 32  # the API's bodies nest three or four levels


class DatabaseId(IntegerConverter):
    """`<int:…>`: a number above MAX_ID names no row, so the URL matches nothing (404)."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class StorableJSON(DefaultJSONProvider):
    """JSON bodies as the services can take them: shallow, and text that is valid UTF-8."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            data = super().loads(s, **kwargs)
        except RecursionError:
            raise _too_deep() from None
        check_storable(data)
        return data


def check_storable(data: object) -> None:
    """Refuse (422) a document nested deeper than MAX_JSON_DEPTH or with a lone surrogate.

    Python's JSON decoder turns "\\udc80" into a string no UTF-8 encoder (so no
    database) accepts; the walk uses a stack, not recursion, whatever the depth.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                value = value.values()
            stack.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(_l("Le JSON contient un caractère invalide (un demi-caractère "
                                 "UTF-16 isolé, tel \\udc80) : envoyez du texte UTF-8 valide.")) \
            from None


def _too_deep() -> ValidationError:
    return ValidationError(_l("Le JSON est trop imbriqué : %(depth)s niveaux au plus.",
                              depth=MAX_JSON_DEPTH))


def register_input_limits(app: Flask) -> None:
    """Before the blueprints: their rules take the `int` converter when they are added."""
    app.url_map.converters["int"] = DatabaseId
    app.json = StorableJSON(app)
