"""The gateway's own pages: health, index, the stitched OpenAPI document, unknown routes.

Written against the registry, so they hold for whatever services the stack has,
the bare platform included.
"""

import httpx

from e2e.pages import is_same_origin, page_assets
from e2e.stacks import Stack
from services.registry import registry

PROBLEM_JSON = "application/problem+json"


def test_health_and_readiness(stack: Stack) -> None:
    assert httpx.get(f"{stack.gateway_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{stack.gateway_url}/readyz")
    assert ready.status_code == 200
    needed = {s.name for s in registry().upstreams() if s.gateway_needs}
    assert needed <= set(ready.json()["checks"])
    assert all(result == "ok" for result in ready.json()["checks"].values())


def test_openapi_covers_every_route_through_the_gateway(stack: Stack) -> None:
    spec = httpx.get(f"{stack.gateway_url}/openapi.json").json()
    for route in registry().routes():
        assert any(path.startswith(f"/api/{route}") for path in spec["paths"]), route
    docs = httpx.get(f"{stack.gateway_url}/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_index_lists_every_route(stack: Stack) -> None:
    routes = httpx.get(f"{stack.gateway_url}/api").json()["routes"]
    assert routes == {
        f"/api/{name}": {"service": route.service, "upstream_path": route.prefix or "/"}
        for name, route in registry().routes().items()
    }


def test_an_unknown_route_is_404_with_the_request_id(stack: Stack) -> None:
    response = httpx.get(
        f"{stack.gateway_url}/api/nonexistent/anything", headers={"X-Request-ID": "trace-me-42"}
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["x-request-id"] == "trace-me-42"
    assert response.json()["request_id"] == "trace-me-42"


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


def test_the_front_page_answers(stack: Stack) -> None:
    """The example's shop, or on the bare platform a way to the API docs: never a 404."""
    page = httpx.get(f"{stack.gateway_url}/", follow_redirects=True, timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
