"""The OpenAPI document: the JSON API's operations, written from the schemas that read them."""

import re

from openapi_spec_validator import validate

from bouteilles.schemas.scans import Scan

API = ("/api/", "/exports/")


def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_the_document_passes_an_openapi_3_1_validator(client):
    spec = document(client)
    assert spec["openapi"] == "3.1.0"
    validate(spec)  # raises on a fault: unknown $ref, duplicate operationId, bad schema…


def test_it_lists_every_api_route_and_no_page(app, client):
    paths = document(client)["paths"]
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths.get(path, {}), f"{method} {rule.rule} missing"
        served.add(path)
    assert set(paths) == served  # pages (HTML) are not the API's


def test_contract_paths_are_documented(client):
    paths = document(client)["paths"]
    for path in ("/api/v1/health", "/api/v1/scans", "/api/v1/scans/batch",
                 "/api/v1/items/{code}", "/api/v1/containers", "/api/v1/crates",
                 "/api/v1/stock", "/api/v1/deposits", "/api/v1/batches",
                 "/api/v1/batches/{batch_id}/inputs", "/api/v1/batches/{batch_id}/close",
                 "/api/v1/impact", "/exports/impact/{month}.{fmt}"):
        assert path in paths
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_a_scan_is_documented_by_the_schema_that_reads_it(client):
    spec = document(client)
    body = spec["paths"]["/api/v1/scans"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/Scan"}
    schemas = spec["components"]["schemas"]
    one_of = [ref["$ref"].rsplit("/", 1)[1] for ref in schemas["Scan"]["oneOf"]]
    assert one_of == [variant.__name__ for variant in Scan.model_fields["root"].annotation
                      .__args__]
    assert schemas["Scan"]["discriminator"]["propertyName"] == "action"
    # The life cycle's fields: `to` only with deliver and collect, a reason to reject.
    assert "to" in schemas["ScanDeliver"]["required"]
    assert schemas["ScanLend"]["properties"]["to"]["type"] == "null"
    assert "reason" in schemas["ScanReject"]["required"]
    assert set(schemas["ScanLend"]["properties"]["reason"]["anyOf"][0]["enum"]) >= {"broken"}


def test_operations_say_who_may_call_them(client):
    paths = document(client)["paths"]
    assert paths["/api/v1/health"]["get"]["security"] == []
    assert paths["/api/v1/openapi.json"]["get"]["security"] == []
    stock = paths["/api/v1/stock"]["get"]
    assert {"bearer": []} in stock["security"] and "401" in stock["responses"]
    assert stock["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}


def test_every_constraint_is_written_in_json_schema_words(client):
    """pydantic writes a constraint it cannot place as its own name (`ge`, `le`…),
    which no JSON Schema reader understands: the document must have none."""
    spec = document(client)
    stray = []

    def walk(node, where):
        if isinstance(node, dict):
            if "type" in node or "anyOf" in node:
                stray.extend(f"{where}.{k}" for k in node
                             if k in {"ge", "le", "gt", "lt", "max_length", "min_length"})
            for key, value in node.items():
                if key != "properties":
                    walk(value, f"{where}.{key}")
                else:  # property names are data, their schemas are not
                    for name, schema in value.items():
                        walk(schema, f"{where}.{name}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(spec, "")
    assert not stray
