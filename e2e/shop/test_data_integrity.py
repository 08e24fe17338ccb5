"""Writes can never store a broken product, and one stored broken anyway takes nothing down."""

from typing import Any

import httpx
import pytest

from e2e.emulated_aws import EmulatedAws
from e2e.shop.helpers import unique_sku
from e2e.shop.test_errors import assert_problem
from services.catalog.settings import CatalogSettings


@pytest.mark.parametrize("field", ["sku", "name", "price_cents", "currency", "tags"])
def test_a_field_cannot_be_nulled(
    api: httpx.Client, new_product: dict[str, Any], field: str
) -> None:
    body = assert_problem(
        api.patch(f"/catalog/products/{new_product['id']}", json={field: None}), 422
    )
    assert [error["field"] for error in body["errors"]] == [field]
    assert api.get(f"/catalog/products/{new_product['id']}").json() == new_product


def test_a_nulled_sku_stays_taken(api: httpx.Client, new_product: dict[str, Any]) -> None:
    api.patch(f"/catalog/products/{new_product['id']}", json={"sku": None})
    taken = api.post(
        "/catalog/products", json={"sku": new_product["sku"], "name": "Thief", "price_cents": 1}
    )
    assert_problem(taken, 409)


def test_a_damaged_product_is_skipped_by_listings_and_can_be_deleted(
    api: httpx.Client, emulated_aws: EmulatedAws, new_product: dict[str, Any]
) -> None:
    """Stored without its price (by an older version, or by hand): reads name the damage,
    listings go on past it, DELETE removes it and frees its SKU."""
    emulated_aws.client("dynamodb").update_item(
        TableName=CatalogSettings().products_table,
        Key={"pk": {"S": f"product#{new_product['id']}"}},
        UpdateExpression="REMOVE price_cents",
    )
    newer = api.post(
        "/catalog/products", json={"sku": unique_sku(), "name": "After", "price_cents": 1}
    ).json()
    listed: list[str] = []
    cursor = None
    while True:
        page = api.get(
            "/catalog/products",
            params={"limit": 100, "cursor": cursor} if cursor else {"limit": 100},
        )
        assert page.status_code == 200, page.text
        listed += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert newer["id"] in listed
    assert new_product["id"] not in listed

    damaged = assert_problem(api.get(f"/catalog/products/{new_product['id']}"), 409)
    assert damaged["invalid_fields"] == ["price_cents"]
    assert_problem(api.patch(f"/catalog/products/{new_product['id']}", json={"name": "x"}), 409)
    assert api.delete(f"/catalog/products/{new_product['id']}").status_code == 204
    again = api.post(
        "/catalog/products", json={"sku": new_product["sku"], "name": "Again", "price_cents": 2}
    )
    assert again.status_code == 201, again.text


def test_an_item_too_large_for_dynamodb_is_422_naming_the_field(api: httpx.Client) -> None:
    """Ten tags of 40 KB: DynamoDB's 400 KB item limit, within the gateway's body limit."""
    response = api.post(
        "/catalog/products",
        json={"sku": unique_sku(), "name": "Huge", "price_cents": 1, "tags": ["x" * 40_000] * 10},
    )
    body = assert_problem(response, 422)
    assert {error["field"] for error in body["errors"]} == {f"tags.{i}" for i in range(10)}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"price_cents": True}, "price_cents"),
        ({"price_cents": "100"}, "price_cents"),
        ({"price_cents": 5.0}, "price_cents"),
    ],
)
def test_prices_are_strictly_integers(
    api: httpx.Client, payload: dict[str, Any], field: str
) -> None:
    body = assert_problem(
        api.post("/catalog/products", json={"sku": unique_sku(), "name": "x"} | payload), 422
    )
    assert [error["field"] for error in body["errors"]] == [field]


def test_quantities_and_stock_are_strictly_integers(api: httpx.Client) -> None:
    order = api.post(
        "/orders",
        json={"customer": "ada@example.com", "lines": [{"sku": "MUG-001", "quantity": "2"}]},
        headers={"Idempotency-Key": "strict-types-0001"},
    )
    assert [e["field"] for e in assert_problem(order, 422)["errors"]] == ["lines.0.quantity"]
    stock = api.put(f"/inventory/{unique_sku()}", json={"available": "5"})
    assert [e["field"] for e in assert_problem(stock, 422)["errors"]] == ["available"]
