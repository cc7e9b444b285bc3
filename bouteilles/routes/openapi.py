"""The JSON API's description: each view declares its schemas, and they read its input.

`documented(...)` puts an `Operation` on a view (the schemas of its body,
query and answers, bouteilles/schemas) and reads the request with them: the
view gets who asks as `caller=`, and `query=` and `body=` as models, or the
refusal is a 422 listing every faulty field. `GET /api/v1/openapi.json` is the
document of every view so declared (schemas/document.py), HTML pages left out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import Rule
from werkzeug.routing.converters import IntegerConverter

from ..schemas.base import read
from ..schemas.document import Operation, Route, openapi_document
from ..services.errors import FieldError, InvalidInput, ValidationError

bp = Blueprint("openapi", __name__)
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def documented(*, answers: dict, body=None, query=None, caller: Callable | None = None,
               reads_body: bool = True, **more) -> Callable:
    """Declare a JSON API view's schemas (see `Operation`) and read its input with them.

    In order: `caller()` (who asks: 401 first) is passed as `caller=`, then the
    query and the body, read with their schemas, as `query=` and `body=`.
    `reads_body=False`: the view gives the raw body to a service that reads it
    with the same schema (a scan: the counter's path reads it once).
    """
    operation = Operation(answers=answers, body=body, query=query, **more)

    def declare(view: Callable) -> Callable:
        @functools.wraps(view)
        def reading(**kwargs):
            if caller is not None:
                kwargs["caller"] = caller()
            if query is not None:
                kwargs["query"] = read(query, query_args())
            if body is not None and reads_body:
                kwargs["body"] = read(body, json_body())
            return view(**kwargs)

        reading.operation = operation
        return reading

    return declare


def json_body() -> object:
    """The request's JSON document, or a clear 422."""
    if not request.is_json:
        raise ValidationError(_l("Envoyez du JSON (Content-Type: application/json)."))
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationError(_l("Le corps de la requête doit être un objet JSON valide."))
    return data


def query_args() -> dict[str, str]:
    """The query string, each parameter given at most once."""
    repeated = [name for name, values in request.args.lists() if len(values) > 1]
    if repeated:
        raise InvalidInput([FieldError(name, _l(
            "Le paramètre « %(field)s » ne peut être donné qu'une fois.", field=name))
            for name in repeated])
    return request.args.to_dict()


def _path_schema(rule: Rule, name: str) -> dict:
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter):
        return {"type": "integer", "minimum": converter.min or 0, "maximum": converter.max}
    return {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}


def api_routes(app: Flask) -> list[Route]:
    """Every documented operation of `app`, where it is served."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        operation = getattr(view, "operation", None)
        if operation is None:
            continue
        methods = sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"})
        for method in methods:
            routes.append(Route(
                path=_CONVERTER.sub(r"{\1}", rule.rule), method=method.lower(),
                operation_id=rule.endpoint if len(methods) == 1
                else f"{rule.endpoint}.{method.lower()}",
                doc=view.__doc__ or rule.endpoint, operation=operation,
                path_params={name: _path_schema(rule, name)
                             for name in _CONVERTER.findall(rule.rule)}))
    return routes


@bp.get("/api/v1/openapi.json")
@documented(answers={200: {"application/json": {"type": "object"}}}, public=True, refusals=())
def spec():
    """The OpenAPI 3.1 description of this API."""
    # Written once per app: its routes and their schemas are fixed when it starts.
    document = current_app.extensions.get("openapi_document")
    if document is None:
        document = current_app.extensions["openapi_document"] = openapi_document(
            api_routes(current_app), title="Bouteilles API", version="1.0.0",
            description="Reuse tracker for the Jura loops: containers, crates, scans, "
                        "washing batches, deposits and impact. Errors are always "
                        "`{\"error\": {\"code\", \"message\"}}` in the request's language "
                        "(`?lang=en`).")
    return jsonify(document)
