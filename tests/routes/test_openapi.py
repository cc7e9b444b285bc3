"""The OpenAPI document lists every route of the app."""

import re


def test_every_route_is_in_the_spec(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        assert path in spec["paths"], f"{rule.rule} missing from openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"][path], f"{method} {rule.rule} missing"


def test_contract_paths_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/health", "/api/v1/scans", "/api/v1/scans/batch",
                 "/api/v1/items/{code}", "/api/v1/containers", "/api/v1/crates",
                 "/api/v1/stock", "/api/v1/deposits", "/api/v1/batches",
                 "/api/v1/batches/{batch_id}/inputs", "/api/v1/batches/{batch_id}/close"):
        assert path in paths
    assert "requestBody" in paths["/api/v1/scans"]["post"]
