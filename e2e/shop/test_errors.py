"""Every documented 4xx: problem+json, a request id, and for 422 the field and the reason."""

from typing import Any

import httpx
import pytest

from e2e.shop.helpers import unique_sku

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


def test_unknown_product_is_404(api: httpx.Client) -> None:
    for request in (
        api.get("/catalog/products/no-such-id"),
        api.patch("/catalog/products/no-such-id", json={"name": "x"}),
        api.delete("/catalog/products/no-such-id"),
        api.post("/catalog/products/no-such-id/image", json={}),
        api.get("/catalog/products/no-such-id/image"),
    ):
        assert_problem(request, 404)


def test_duplicate_sku_is_409_and_keeps_the_original(
    api: httpx.Client, new_product: dict[str, Any]
) -> None:
    body = assert_problem(
        api.post(
            "/catalog/products",
            json={"sku": new_product["sku"], "name": "Impostor", "price_cents": 1},
        ),
        409,
    )
    assert new_product["sku"] in body["detail"]
    assert api.get(f"/catalog/products/{new_product['id']}").json() == new_product


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "No SKU", "price_cents": 1}, "sku"),
        ({"sku": "lower-case", "name": "x", "price_cents": 1}, "sku"),
        ({"sku": "OK-SKU-1", "name": "", "price_cents": 1}, "name"),
        ({"sku": "OK-SKU-1", "name": "x", "price_cents": -5}, "price_cents"),
        ({"sku": "OK-SKU-1", "name": "x", "price_cents": "ten"}, "price_cents"),
        ({"sku": "OK-SKU-1", "name": "x", "price_cents": 1, "currency": "euro"}, "currency"),
        ({"sku": "OK-SKU-1", "name": "x", "price_cents": 1, "colour": "red"}, "colour"),
    ],
)
def test_bad_fields_are_422_naming_the_field(
    api: httpx.Client, payload: dict[str, Any], field: str
) -> None:
    body = assert_problem(api.post("/catalog/products", json=payload), 422)
    assert field in [error["field"] for error in body["errors"]]
    assert all(error["reason"] for error in body["errors"])


def test_bad_update_is_422_and_changes_nothing(
    api: httpx.Client, new_product: dict[str, Any]
) -> None:
    body = assert_problem(
        api.patch(f"/catalog/products/{new_product['id']}", json={"price_cents": -1}), 422
    )
    assert [error["field"] for error in body["errors"]] == ["price_cents"]
    assert api.get(f"/catalog/products/{new_product['id']}").json() == new_product


def test_update_to_a_taken_sku_is_409(api: httpx.Client, new_product: dict[str, Any]) -> None:
    other = api.post(
        "/catalog/products", json={"sku": unique_sku(), "name": "Other", "price_cents": 1}
    ).json()
    assert_problem(
        api.patch(f"/catalog/products/{other['id']}", json={"sku": new_product["sku"]}), 409
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"cursor": "forged"}, "cursor")],
)
def test_bad_paging_is_422(api: httpx.Client, params: dict[str, Any], field: str) -> None:
    body = assert_problem(api.get("/catalog/products", params=params), 422)
    assert [error["field"] for error in body["errors"]] == [field]


def test_non_image_upload_is_422(api: httpx.Client, new_product: dict[str, Any]) -> None:
    response = api.post(
        f"/catalog/products/{new_product['id']}/image", json={"content_type": "text/html"}
    )
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["content_type"]


def test_unknown_service_is_404(api: httpx.Client) -> None:
    assert_problem(api.get("/nonexistent/anything"), 404)


def test_request_id_is_propagated(api: httpx.Client) -> None:
    response = api.get("/catalog/products/no-such-id", headers={"X-Request-ID": "trace-me-42"})
    assert response.headers["x-request-id"] == "trace-me-42"
    assert response.json()["request_id"] == "trace-me-42"
