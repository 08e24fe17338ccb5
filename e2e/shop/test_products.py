"""The product lifecycle and pagination, through the gateway."""

from typing import Any

import httpx

from e2e.shop.helpers import unique_sku


def test_full_lifecycle(api: httpx.Client) -> None:
    sku = unique_sku()
    created = api.post(
        "/catalog/products",
        json={"sku": sku, "name": "Lifecycle mug", "price_cents": 999, "currency": "USD"},
    )
    assert created.status_code == 201, created.text
    product = created.json()
    assert created.headers["location"].endswith(f"/products/{product['id']}")
    assert (product["sku"], product["version"], product["currency"]) == (sku, 1, "USD")

    fetched = api.get(f"/catalog/products/{product['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == product

    patched = api.patch(f"/catalog/products/{product['id']}", json={"price_cents": 1499})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["price_cents"], patched.json()["version"]) == (1499, 2)
    assert patched.json()["name"] == "Lifecycle mug"
    assert api.get(f"/catalog/products/{product['id']}").json()["price_cents"] == 1499

    deleted = api.delete(f"/catalog/products/{product['id']}")
    assert deleted.status_code == 204
    assert api.get(f"/catalog/products/{product['id']}").status_code == 404
    # The SKU is free again once its product is gone.
    again = api.post("/catalog/products", json={"sku": sku, "name": "Again", "price_cents": 1})
    assert again.status_code == 201, again.text


def test_seeded_products_are_listed(api: httpx.Client) -> None:
    page = api.get("/catalog/products", params={"limit": 5})
    assert page.status_code == 200
    assert len(page.json()["items"]) == 5
    assert page.json()["next_cursor"]


def _all_pages(api: httpx.Client, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = api.get("/catalog/products", params=params)
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) <= limit
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination never ended")


def test_pagination_has_no_duplicates_or_gaps(api: httpx.Client) -> None:
    mine = {
        api.post(
            "/catalog/products",
            json={"sku": unique_sku(), "name": f"Page item {n}", "price_cents": n},
        ).json()["id"]
        for n in range(7)
    }
    small_pages = _all_pages(api, limit=7)
    ids = [item["id"] for item in small_pages]
    assert len(ids) == len(set(ids)), "a product appeared on two pages"
    assert mine <= set(ids), "a product is missing from every page"
    assert len(ids) >= 50 + len(mine)  # the seeded fixtures are there too
    # Another page size walks the same set in the same order.
    assert [item["id"] for item in _all_pages(api, limit=100)] == ids
