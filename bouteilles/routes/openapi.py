"""The OpenAPI 3.1 document, generated from the app's own URL map.

Every route of the app is listed (a test checks it); JSON API routes carry
the request and answer schemas below, HTML pages are described as such.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

from ..services import lifecycle

bp = Blueprint("openapi", __name__)

ERROR = {"$ref": "#/components/schemas/Error"}
OBJ = {"type": "object"}
CODE = {"type": "string", "minLength": 1, "maxLength": 200}
SCAN = {
    "type": "object",
    "required": ["code", "action", "idempotency_key"],
    "properties": {
        "code": CODE,
        "action": {"type": "string", "enum": [
            "deliver", "lend", "fill", "return", "collect", "sort", "wash", "reject",
            "lose", "find"]},
        "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 100},
        "occurred_at": {"type": "string", "format": "date-time"},
        "to": {"type": "string", "maxLength": 64, "description": (
            "The destination organisation's code, only with "
            + " or ".join(sorted(lifecycle.DESTINATION_ACTIONS))
            + "; any other action carrying it is refused (422 validation).")},
        "reason": {"type": "string", "enum": ["broken", "chipped", "wrong_model", "residue",
                                              "other"]},
        "quantity": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
        "batch": {"type": "string", "maxLength": 32},
    },
}
BODIES = {
    "api.post_scan": SCAN,
    "api.post_scan_batch": {"type": "object", "required": ["scans"], "properties": {
        "scans": {"type": "array", "maxItems": 1000, "items": SCAN}}},
    "api.post_containers": {"type": "object", "required": ["type"], "properties": {
        "type": {"type": "string"}, "count": {"type": "integer", "minimum": 1, "maximum": 10000},
        "holder": {"type": "string"}}},
    "api.post_crate": {"type": "object", "required": ["type", "quantity"], "properties": {
        "type": {"type": "string"}, "quantity": {"type": "integer", "minimum": 0},
        "holder": {"type": "string"}, "state": {"type": "string"}}},
    "api_batches.post_batch": {"type": "object", "required": ["type"], "properties": {
        "type": {"type": "string"}, "site": {"type": "string"}}},
    "api_batches.post_inputs": {"type": "object", "properties": {
        "codes": {"type": "array", "items": {"type": "string"}},
        "count": {"type": "integer", "minimum": 0}}},
    "api_batches.post_close": {"type": "object", "required": ["clean"], "properties": {
        "clean": {"type": "integer", "minimum": 0},
        "rejected": {"type": "object", "additionalProperties": {"type": "integer"}},
        "water_l": {"type": "number", "minimum": 0},
        "energy_kwh": {"type": "number", "minimum": 0},
        "electricity_kwh": {"type": "number", "minimum": 0},
        "gas_kwh": {"type": "number", "minimum": 0},
        "transport": {"type": "array", "items": {"type": "object", "properties": {
            "km": {"type": "number", "minimum": 0},
            "mode": {"type": "string", "enum": ["van", "truck"]}}}}}},
}
QUERY = {
    "api.get_stock": ["holder", "type", "state"],
    "api.get_deposits": ["org", "month"],
    "impact.get_impact": ["month", "org"],  # month: YYYY-MM, default the current month
    "impact.export_report": ["org"],
    "impact.export_epcis": ["org"],
}
# Answers that are not a bare JSON object (impact figures and downloads).
FIGURES = {name: {"type": "integer"} for name in (
    "batches", "inputs", "containers_reused", "containers_rejected", "co2e_avoided_g",
    "co2e_process_g", "waste_avoided_g", "to_recycling_g")}
IMPACT = {"type": "object", "required": ["month", "scope", *FIGURES], "properties": {
    "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
    "org": {"type": ["string", "null"]},
    "scope": {"type": "string", "enum": ["network", "site", "member"]},
    **FIGURES,
    "by_type": {"type": "array", "items": {"type": "object", "properties": {
        "type": {"type": "string"}, "name": {"type": "string"}, **FIGURES}}},
    "by_site": {"type": "array", "items": {"type": "object", "properties": {
        "site": {"type": "string"}, **FIGURES}}},
    "by_batch": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "closed_at": {"type": "string", "format": "date-time"},
        "site": {"type": "string"}, "type": {"type": "string"},
        "factor_set": {"type": ["string", "null"]}, **FIGURES}}},
    "rejects": {"type": "array", "items": {"type": "object"}},
    "factor_sets": {"type": "array", "items": {"type": "string"}},
}}
ANSWERS = {
    "impact.get_impact": {"application/json": {"schema": IMPACT}},
    "impact.export_report": {
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "impact.export_epcis": {"application/ld+json": {"schema": {"type": "object"}}},
}
CREATED = {"api.post_scan", "api.post_containers", "api.post_crate", "api_batches.post_batch"}
PUBLIC = {"api.health", "openapi.spec"}
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _operation(endpoint: str, view, methods: set[str], path: str) -> dict:
    doc = (view.__doc__ or endpoint).strip().splitlines()[0]
    is_api = path.startswith(("/api/", "/exports/"))
    ok_status = "201" if endpoint in CREATED else "200"
    content_type = "application/json" if is_api else "text/html"
    responses: dict = {ok_status: {"description": "OK", "content": {content_type: {
        "schema": OBJ if is_api else {"type": "string"}}}}}
    if endpoint in ANSWERS:
        responses[ok_status]["content"] = ANSWERS[endpoint]
    if endpoint == "api.post_scan":
        responses["200"] = {"description": "Replay of a known idempotency key",
                            "content": {"application/json": {"schema": OBJ}}}
    if is_api:
        for status in ("401", "403", "404", "409", "413", "422", "429"):
            responses[status] = {"description": "Error",
                                 "content": {"application/json": {"schema": ERROR}}}
    operation: dict = {"operationId": endpoint, "summary": doc, "responses": responses}
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in _CONVERTER.findall(path)]
    params += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
               for name in QUERY.get(endpoint, [])]
    if params:
        operation["parameters"] = params
    if endpoint in BODIES:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": BODIES[endpoint]}}}
    if is_api and endpoint not in PUBLIC:
        operation["security"] = [{"bearer": []}, {"session": []}]
    return operation


def build_spec(app) -> dict:
    """The OpenAPI document for every route of `app`."""
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        view = app.view_functions[rule.endpoint]
        methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        for method in sorted(methods):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule.endpoint, view, methods, rule.rule)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bouteilles API", "version": "1.0.0",
                 "description": "Reuse tracker for the Jura loops. See docs/API.md."},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": {"type": "object", "required": ["error"], "properties": {
                "error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}}}}}},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@bp.get("/api/v1/openapi.json")
def spec():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(build_spec(current_app))
