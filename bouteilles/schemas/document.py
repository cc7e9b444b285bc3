"""The OpenAPI 3.1 document, written from the operations' schemas.

Each JSON API view declares an `Operation` (routes/openapi.py, `documented`):
the schemas of its body, query and answers. The same schemas read the
requests, so the document says what the code does. Component names are the
models' names; refusals share one `Error` shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from .status import Error

REF = "#/components/schemas/{model}"
# What each refusal means, for the document.
REFUSALS = {
    401: "No valid bearer token or session (`unauthorized`).",
    403: "Not allowed to the caller's organisation (`forbidden`).",
    404: "No such thing (`not_found`, `unknown_code`).",
    409: "The record does not allow it now (`invalid_transition`, `conflict`).",
    413: "The body is over 1 MB (`too_large`).",
    422: "The input is not well formed, or breaks a rule the schema cannot say "
         "(`validation`): every faulty field is in `details`.",
    429: "Too many requests (`rate_limited`).",
}
SECURED = [{"bearer": []}, {"session": []}]


@dataclass(frozen=True)
class Operation:
    """What an operation takes and answers. `answers`: status → an answer's model,
    {media type: JSON schema} for other documents, or what an answer without a body
    means. `path`: a path parameter's type, when its URL converter says too little."""

    answers: dict[int, Any]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path: dict[str, Any] = field(default_factory=dict)
    public: bool = False
    refusals: tuple[int, ...] = (403, 404, 409, 413, 422, 429)


@dataclass(frozen=True)
class Route:
    """An operation where the app serves it."""

    path: str  # OpenAPI style: /items/{code}
    method: str
    operation_id: str
    doc: str
    operation: Operation
    path_params: dict[str, dict]  # name → JSON schema of what the URL converter takes


class _Schemas(GenerateJsonSchema):
    """pydantic's JSON Schema without a title on every field."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def openapi_document(routes: list[Route], *, title: str, version: str,
                     description: str) -> dict:
    """The OpenAPI 3.1 document of `routes`."""
    refs, components = _components(routes)
    paths: dict[str, dict] = {}
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        paths.setdefault(route.path, {})[route.method] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "An API token (`flask --app bouteilles users token`)."},
            "session": {"type": "apiKey", "in": "cookie", "name": "session",
                        "description": "The web session; bodies must then be JSON."},
        }},
    }


def _models(routes: list[Route]) -> list[tuple[type[BaseModel], str]]:
    found = {(Error, "serialization")}
    for route in routes:
        op = route.operation
        if op.body is not None:  # a query's fields are parameters, not a component
            found.add((op.body, "validation"))
        found.update((m, "serialization") for m in op.answers.values()
                     if isinstance(m, type) and issubclass(m, BaseModel))
    return sorted(found, key=lambda pair: (pair[0].__name__, pair[1]))


def _components(routes: list[Route]) -> tuple[dict, dict]:
    models = _models(routes)
    refs, top = models_json_schema(models, ref_template=REF, schema_generator=_Schemas)
    return refs, top.get("$defs", {})


def _operation(route: Route, refs: dict) -> dict:
    op = route.operation
    summary, _, rest = route.doc.strip().partition("\n")
    document: dict[str, Any] = {"operationId": route.operation_id, "summary": summary.strip()}
    if rest.strip():
        document["description"] = " ".join(rest.split())
    in_path = {**route.path_params, **{name: TypeAdapter(kind).json_schema()
                                       for name, kind in op.path.items()}}
    parameters = [{"name": name, "in": "path", "required": True, "schema": schema}
                  for name, schema in in_path.items()]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    if parameters:
        document["parameters"] = parameters
    if op.body is not None:
        document["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[op.body, "validation"]}}}
    document["responses"] = _responses(op, refs)
    document["security"] = [] if op.public else SECURED
    return document


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(schema_generator=_Schemas)
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required,
             **({"description": prop.pop("description")} if "description" in prop else {}),
             "schema": prop} for name, prop in schema["properties"].items()]


def _first_line(text: str) -> str:
    return text.strip().split("\n")[0]


def _responses(op: Operation, refs: dict) -> dict:
    responses: dict[str, dict] = {}
    for status, answer in sorted(op.answers.items()):
        if isinstance(answer, str):  # no body: what the status means
            responses[str(status)] = {"description": answer}
        elif isinstance(answer, dict):  # a document or a file: {media type: schema}
            responses[str(status)] = {"description": "The document.", "content": {
                media: {"schema": schema} for media, schema in answer.items()}}
        else:
            responses[str(status)] = {"description": _first_line(answer.__doc__ or "OK"),
                                      "content": {"application/json": {
                                          "schema": refs[answer, "serialization"]}}}
    error = {"application/json": {"schema": refs[Error, "serialization"]}}
    statuses = op.refusals if op.public else (401, *op.refusals)
    for status in sorted(statuses):
        responses.setdefault(str(status), {"description": REFUSALS[status], "content": error})
    return responses
