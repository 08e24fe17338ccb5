"""The gateway forwards exactly the route it matched and never shows an internal address."""

from typing import Any

import httpx
import pytest

from e2e.raw_http import raw_request
from e2e.stacks import Stack


@pytest.mark.parametrize("path", ["/catalog/products/", "/orders/", "/fulfillment/dead-letters/"])
def test_a_trailing_slash_never_redirects_to_an_internal_address(
    api: httpx.Client, stack: Stack, path: str
) -> None:
    response = api.get(path, params={"customer": "ada@example.com"}, follow_redirects=False)
    location = response.headers.get("location", "")
    assert "127.0.0.1" not in location, location
    assert "://" not in location, location
    if response.is_redirect:
        assert location.startswith("/api" + path.rstrip("/")), location
        assert api.get(stack.gateway_url + location).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/inventory/%2e%2e/orders",
        "/inventory/%2E%2E/orders?customer=ada@example.com",
        "/inventory/..%2forders",
        "/catalog/products/%2e",
        "/inventory/x%2f..%2f..%2forders",
    ],
)
def test_encoded_dot_segments_cannot_leave_the_route(stack: Stack, path: str) -> None:
    status, _, body = raw_request(stack.gateway_url, "GET", "/api" + path)
    assert (status, body["status"]) == (400, 400), body


def test_an_encoded_question_mark_stays_in_the_path(stack: Stack) -> None:
    """``%3F`` is part of the id, so the product is not found: no query string appears."""
    status, _, body = raw_request(stack.gateway_url, "GET", "/api/catalog/products%3Flimit=1")
    assert status == 404, body  # GET /products?limit=1 would be a 200 page
    assert body["instance"].startswith("/products"), body


def test_location_after_a_create_works_through_the_gateway(
    api: httpx.Client, stack: Stack, new_product: dict[str, Any]
) -> None:
    created = api.post(
        "/catalog/products", json={"sku": new_product["sku"] + "-2", "name": "x", "price_cents": 1}
    )
    location = created.headers["location"]
    assert location == f"/api/catalog/products/{created.json()['id']}"
    assert api.get(stack.gateway_url + location).json() == created.json()


def test_a_semicolon_stays_in_the_path(stack: Stack) -> None:
    """``;v=1`` is part of the last segment: the service looks up (and names) that path, not
    one cut at the ``;``."""
    status, _, body = raw_request(stack.gateway_url, "GET", "/api/catalog/products/none;v=1")
    assert status == 404, body
    assert body["instance"] == "/products/none;v=1", body


def test_a_fragment_in_the_target_is_refused(stack: Stack) -> None:
    """A raw ``#`` is not forwarded: the upstream would see the path without the query."""
    status, _, body = raw_request(stack.gateway_url, "GET", "/api/catalog/products#x?limit=1")
    assert (status, body["status"]) == (400, 400), body
