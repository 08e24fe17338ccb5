"""What clients see when a service dies, and that data outlives service restarts."""

from typing import Any

import httpx
import pytest

from e2e.stacks import ControllableStack


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_gateway_answers_503_while_catalog_is_down(
    api: httpx.Client, controlled_stack: ControllableStack, how: str
) -> None:
    getattr(controlled_stack, how)("catalog")
    try:
        response = api.get("/catalog/products", timeout=30)
        assert response.status_code in {502, 503}, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "catalog" in response.json()["detail"]
        ready = httpx.get(f"{controlled_stack.gateway_url}/readyz", timeout=10)
        assert ready.status_code == 503
        assert "catalog" in ready.json()["detail"]
    finally:
        controlled_stack.start("catalog")
    assert api.get("/catalog/products").status_code == 200


def test_products_survive_a_restart_of_the_services(
    api: httpx.Client, controlled_stack: ControllableStack, new_product: dict[str, Any]
) -> None:
    for name in ("catalog", "gateway"):
        controlled_stack.restart(name)
    fetched = api.get(f"/catalog/products/{new_product['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == new_product
