"""An outage is a 503 a client can retry, and a failed request never fails the next one."""

from collections.abc import Iterator

import httpx
import pytest

from devstack.components import Ports
from e2e.conftest import API_KEY
from e2e.shop.test_errors import assert_problem
from e2e.stacks import ControllableStack, Stack


@pytest.fixture
def moto_down(controlled_stack: ControllableStack) -> Iterator[ControllableStack]:
    controlled_stack.stop("moto")
    try:
        yield controlled_stack
    finally:
        controlled_stack.start("moto")


@pytest.fixture
def service_ports(stack: Stack) -> Ports:
    """The services' own ports: a local stack publishes them, compose keeps them inside."""
    ports = getattr(stack, "ports", None)
    if not isinstance(ports, Ports):
        pytest.skip("the services' own ports are published by local stacks only")
    return ports


def test_services_answer_503_with_retry_after_while_aws_is_down(
    api: httpx.Client, moto_down: ControllableStack
) -> None:
    for response in (
        api.get("/catalog/products"),
        api.get("/inventory/MUG-001"),
        api.put("/inventory/OUTAGE-1", json={"available": 1}),
        api.get("/fulfillment/dead-letters"),
    ):
        body = assert_problem(response, 503)
        assert int(response.headers["retry-after"]) > 0
        assert "AWS" in body["detail"]


def test_readiness_names_the_failing_check_while_aws_is_down(
    service_ports: Ports, moto_down: ControllableStack
) -> None:
    catalog = f"http://127.0.0.1:{service_ports.services['catalog']}/readyz"
    catalog_ready = httpx.get(catalog, timeout=60)
    assert catalog_ready.status_code == 503
    assert "retry-after" in catalog_ready.headers
    assert catalog_ready.json()["checks"]["products_table"] != "ok"


def test_no_request_fails_because_an_earlier_one_did(stack: Stack) -> None:
    """One keep-alive client, 60 requests: every other one makes the upstream give up the
    connection (it answers a write it refuses before reading the body, so it must close);
    the normal ones in between must all succeed."""
    failures = []
    with httpx.Client(base_url=f"{stack.gateway_url}/api", timeout=30) as client:
        for round_ in range(30):
            client.request(
                "PATCH",
                "/catalog/products",
                content=b"x" * 200_000,
                headers={"X-API-Key": API_KEY, "content-type": "application/json"},
            )
            normal = client.get("/catalog/products", params={"limit": 1})
            if normal.status_code != 200:
                failures.append((round_, normal.status_code, normal.text[:200]))
    assert failures == []
