from services.gateway.openapi import merge_specs


def test_upstream_paths_are_prefixed_and_schemas_merged() -> None:
    gateway = {"openapi": "3.1.0", "info": {"title": "gw"}, "paths": {"/healthz": {}}}
    catalog = {
        "paths": {"/products": {"get": {}}},
        "components": {"schemas": {"Product": {"type": "object"}}},
    }
    merged = merge_specs(gateway, {"catalog": catalog}, missing=["orders"])
    assert set(merged["paths"]) == {"/healthz", "/api/catalog/products"}
    assert merged["components"]["schemas"] == {"Product": {"type": "object"}}
    assert "orders" in merged["info"]["description"]
    assert gateway["paths"] == {"/healthz": {}}, "the gateway's own spec must not change"
