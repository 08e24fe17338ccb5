"""The shop's endpoints in the gateway's stitched docs and index."""

import httpx

from e2e.stacks import Stack


def test_openapi_covers_the_shop_through_the_gateway(stack: Stack) -> None:
    spec = httpx.get(f"{stack.gateway_url}/openapi.json").json()
    assert "/api/catalog/products" in spec["paths"]
    assert "/api/catalog/products/{product_id}/image" in spec["paths"]
    assert {"/api/orders", "/api/orders/{order_id}", "/api/inventory/{sku}"} <= set(spec["paths"])
    assert "/api/fulfillment/dead-letters" in spec["paths"]


def test_index_lists_the_shop(stack: Stack) -> None:
    index = httpx.get(f"{stack.gateway_url}/api").json()
    assert index["routes"]["/api/catalog"] == {"service": "catalog", "upstream_path": "/"}
    assert index["routes"]["/api/inventory"] == {"service": "orders", "upstream_path": "/inventory"}
