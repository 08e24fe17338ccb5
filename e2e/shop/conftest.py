"""Fixtures of the shop's e2e tests."""

from typing import Any

import httpx
import pytest

from e2e.shop.helpers import unique_sku


@pytest.fixture
def new_product(api: httpx.Client) -> dict[str, Any]:
    response = api.post(
        "/catalog/products",
        json={"sku": unique_sku(), "name": "E2E mug", "price_cents": 1250, "tags": ["e2e"]},
    )
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    return product
