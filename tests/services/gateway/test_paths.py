"""The gateway's checks on the path as sent, and how upstream Locations are made public."""

import pytest
from fastapi.testclient import TestClient

from services.common.problems import PROBLEM_JSON
from services.gateway.main import app
from services.gateway.paths import MAX_URL_BYTES, BadPath, UrlTooLong, check_target, split_route
from services.gateway.routers import proxy
from services.gateway.routers.proxy import public_location
from services.registry import Registry, Service, registry

SHOP_ROUTES = Registry(
    services=(
        Service(name="catalog", port=8001, routes={"catalog": ""}),
        Service(name="orders", port=8002, routes={"orders": "/orders", "inventory": "/inventory"}),
        registry().get("gateway"),
    )
).routes()
"""Routes like the example shop's, so these cases hold without it too."""


@pytest.mark.parametrize(
    "path",
    [
        "/api/inventory/%2e%2e/orders",
        "/api/inventory/%2E/orders",
        "/api/inventory/../orders",
        "/api/inventory/a%2fb",
        "/api/inventory/a%5cb",
        "/api/catalog/products/%0a",
        "/api/catalog/products/%7F",
        "/api/catalog/products/%ff",
    ],
)
def test_paths_that_could_leave_their_route_are_refused(path: str) -> None:
    with pytest.raises(BadPath):
        check_target(path, b"")


@pytest.mark.parametrize(
    ("path", "query"),
    [("/api/catalog/products/1#x", b""), ("/api/catalog/products#x", b"q=1"), ("/api/x", b"q=1#x")],
)
def test_a_fragment_in_the_target_is_refused(path: str, query: bytes) -> None:
    """A raw ``#`` never reaches an upstream, which would see another path or lose the query."""
    with pytest.raises(BadPath):
        check_target(path, query)


def test_urls_over_64_kib_are_refused() -> None:
    check_target("/api/catalog/products", b"x" * (MAX_URL_BYTES - 100))
    with pytest.raises(UrlTooLong):
        check_target("/api/catalog/products", b"x" * MAX_URL_BYTES)


def test_the_rest_of_the_path_is_forwarded_as_sent() -> None:
    assert split_route("/api/catalog/products%3Flimit=1") == ("catalog", "/products%3Flimit=1")
    assert split_route("/api/orders") == ("orders", "")
    assert split_route("/api/orders/") == ("orders", "/")


@pytest.mark.parametrize(
    ("location", "service", "public"),
    [
        ("http://127.0.0.1:8001/products", "catalog", "/api/catalog/products"),
        ("/products/abc", "catalog", "/api/catalog/products/abc"),
        ("/orders/abc?x=1", "orders", "/api/orders/abc?x=1"),
        ("/inventory/MUG-001", "orders", "/api/inventory/MUG-001"),
        ("http://127.0.0.1:8001/healthz", "orders", None),
        ("http://localhost:4566/bucket/key?X-Amz-Signature=1", "catalog", None),
    ],
)
def test_locations_become_gateway_paths(
    location: str, service: str, public: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(proxy, "ROUTES", SHOP_ROUTES)
    base = "http://127.0.0.1:8001"
    expected = public if public is not None or location.startswith(base) else location
    assert public_location(location, base, service) == expected


@pytest.mark.parametrize("path", ["/api/inventory/a%0Ab", "/api/catalog/products/%0A/image"])
def test_a_line_break_inside_the_path_is_refused_like_other_control_characters(path: str) -> None:
    """Not a 404: the route takes the whole rest of the path, so the check sees it (found by
    fuzzing: a PUT, whose document gives no 404, was answered with one)."""
    response = TestClient(app).put(path, json={})
    assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM_JSON)
    assert response.json()["detail"] == "the path holds control characters"
