"""The gateway's own pages: health, index, the stitched OpenAPI document."""

import httpx

from e2e.pages import is_same_origin, page_assets
from e2e.stacks import Stack


def test_health_and_readiness(stack: Stack) -> None:
    assert httpx.get(f"{stack.gateway_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{stack.gateway_url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["catalog"] == "ok"


def test_openapi_covers_every_service_through_the_gateway(stack: Stack) -> None:
    spec = httpx.get(f"{stack.gateway_url}/openapi.json").json()
    assert "/api/catalog/products" in spec["paths"]
    assert "/api/catalog/products/{product_id}/image" in spec["paths"]
    assert {"/api/orders", "/api/orders/{order_id}", "/api/inventory/{sku}"} <= set(spec["paths"])
    assert "/api/fulfillment/dead-letters" in spec["paths"]
    docs = httpx.get(f"{stack.gateway_url}/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_index_lists_the_services(stack: Stack) -> None:
    index = httpx.get(f"{stack.gateway_url}/api").json()
    assert index["routes"]["/api/catalog"] == {"service": "catalog", "upstream_path": "/"}
    assert index["routes"]["/api/inventory"] == {"service": "orders", "upstream_path": "/inventory"}


def test_docs_work_offline(stack: Stack) -> None:
    """Swagger UI's script, style sheet and icon come from the stack, not a CDN."""
    page = httpx.get(f"{stack.gateway_url}/docs")
    assets = page_assets(page.text)
    assert [url for url in assets if not is_same_origin(url)] == []
    assert "/openapi.json" in assets
    for url in assets:
        response = httpx.get(f"{stack.gateway_url}{url}", timeout=30)
        assert response.status_code == 200, url
        assert response.content, url
