"""Fixtures for the black-box suite: everything goes through the gateway with httpx."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from e2e.stacks import ControllableStack, ExternalStack, Stack, stack_for_tests


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with stack_for_tests() as running:
        yield running


@pytest.fixture
def controlled_stack(stack: Stack) -> ControllableStack:
    """The stack, when the suite may stop and kill its components."""
    if isinstance(stack, ExternalStack):
        pytest.skip("STACK_URL stacks are not ours to stop or kill")
    assert isinstance(stack, ControllableStack)
    return stack


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{stack.gateway_url}/api", timeout=30) as client:
        yield client


def unique_sku() -> str:
    return f"E2E-{uuid.uuid4().hex[:12].upper()}"


@pytest.fixture
def new_product(api: httpx.Client) -> dict[str, Any]:
    response = api.post(
        "/catalog/products",
        json={"sku": unique_sku(), "name": "E2E mug", "price_cents": 1250, "tags": ["e2e"]},
    )
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    return product
