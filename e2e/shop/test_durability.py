"""J2: every resource and acknowledged write survives Moto restarts, crashes and
a full `make down && make up`, with no re-seeding."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from e2e.shop.helpers import unique_sku
from e2e.stacks import ControllableStack


def _write_some(api: httpx.Client) -> list[dict[str, Any]]:
    products = []
    for n in range(5):
        response = api.post(
            "/catalog/products",
            json={"sku": unique_sku(), "name": f"Durable {n}", "price_cents": 100 + n},
        )
        assert response.status_code == 201, response.text
        products.append(response.json())
    updated = api.patch(f"/catalog/products/{products[0]['id']}", json={"price_cents": 999})
    products[0] = updated.json()
    return products


def _assert_all_there(api: httpx.Client, products: list[dict[str, Any]], total: int) -> None:
    for product in products:
        fetched = api.get(f"/catalog/products/{product['id']}")
        assert fetched.status_code == 200, fetched.text
        assert fetched.json() == product
    assert _total(api) == total, "products were lost or the seeder ran again"


@pytest.mark.parametrize(
    "disrupt",
    [
        pytest.param(lambda stack: stack.restart("moto"), id="restart-moto"),
        pytest.param(lambda stack: (stack.kill("moto"), stack.start("moto")), id="kill-9-moto"),
        pytest.param(lambda stack: stack.recreate(), id="down-then-up"),
    ],
)
def test_writes_survive(
    api: httpx.Client,
    controlled_stack: ControllableStack,
    disrupt: Callable[[ControllableStack], Any],
) -> None:
    products = _write_some(api)
    total = _total(api)
    disrupt(controlled_stack)
    _assert_all_there(api, products, total)


def _total(api: httpx.Client) -> int:
    seen, cursor = 0, None
    while True:
        params: dict[str, Any] = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        page = api.get("/catalog/products", params=params).json()
        seen += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
