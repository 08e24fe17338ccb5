from typing import Any

from services.gateway.openapi import merge_specs
from services.gateway.settings import Route

ROUTES = {
    "catalog": Route(service="catalog"),
    "orders": Route(service="orders", prefix="/orders"),
    "inventory": Route(service="orders", prefix="/inventory"),
}
"""Routes as a registry declares them; the test's own, so it holds without the example."""


def test_upstream_paths_are_prefixed_and_schemas_merged() -> None:
    gateway = {"openapi": "3.1.0", "info": {"title": "gw"}, "paths": {"/healthz": {}}}
    catalog = {
        "paths": {"/products": {"get": {"responses": {}}, "post": {"responses": {}}}},
        "components": {"schemas": {"Product": {"type": "object"}}},
    }
    merged = merge_specs(gateway, {"catalog": catalog}, missing=["orders"], routes=ROUTES)
    assert set(merged["paths"]) == {"/healthz", "/api/catalog/products"}
    assert merged["components"]["schemas"]["Product"] == {"type": "object"}
    operations = merged["paths"]["/api/catalog/products"]
    assert {"413", "414", "502", "503", "504"} <= set(operations["get"]["responses"])
    assert "401" not in operations["get"]["responses"], "reads need no key"
    assert {"401", "403"} <= set(operations["post"]["responses"])
    assert "orders" in merged["info"]["description"]
    assert gateway["paths"] == {"/healthz": {}}, "the gateway's own spec must not change"


def test_orders_paths_appear_under_their_routes() -> None:
    orders: dict[str, Any] = {
        "paths": {"/orders": {}, "/orders/{order_id}": {}, "/inventory/{sku}": {}, "/healthz": {}}
    }
    merged = merge_specs({"paths": {}}, {"orders": orders}, missing=[], routes=ROUTES)
    assert set(merged["paths"]) == {"/api/orders", "/api/orders/{order_id}", "/api/inventory/{sku}"}
