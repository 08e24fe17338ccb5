"""A service's own port accepts writes only with the stack's internal token."""

from typing import Any

import httpx
import pytest

from devstack.local import ProcessStack
from e2e.emulated_aws import EmulatedAws
from e2e.shop.helpers import fulfilled, place, stocked_sku
from e2e.stacks import Stack
from services.common.internal import INTERNAL_TOKEN_HEADER, internal_token_secret, parse_token
from services.common.settings import StackSettings


@pytest.fixture
def local(stack: Stack) -> ProcessStack:
    if not isinstance(stack, ProcessStack):
        pytest.skip("the services' own ports are published by local stacks only")
    return stack


def service(stack: ProcessStack, name: str) -> str:
    return f"http://127.0.0.1:{stack.ports.services[name]}"


@pytest.mark.parametrize(
    ("name", "method", "path", "body"),
    [
        ("catalog", "POST", "/products", {"sku": "DIRECT-001", "name": "x", "price_cents": 1}),
        ("orders", "PUT", "/inventory/DIRECT-001", {"available": 5}),
        (
            "orders",
            "PUT",
            "/orders/any/fulfillment",
            {"receipt": "forged", "email_message_id": "x"},
        ),
        ("fulfillment", "POST", "/dead-letters/redrive", None),
    ],
)
@pytest.mark.parametrize("token", [None, "forged-token"], ids=["no-token", "wrong-token"])
def test_writes_on_a_services_own_port_need_the_internal_token(
    local: ProcessStack, name: str, method: str, path: str, body: Any, token: str | None
) -> None:
    headers = {INTERNAL_TOKEN_HEADER: token} if token else {}
    response = httpx.request(method, service(local, name) + path, json=body, headers=headers)
    assert response.status_code == (403 if token else 401), response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_forged_receipt_cannot_beat_the_worker(
    local: ProcessStack, api: httpx.Client, emulated_aws: EmulatedAws
) -> None:
    order = place(api, stocked_sku(api, 1)).json()
    forged = httpx.put(
        f"{service(local, 'orders')}/orders/{order['id']}/fulfillment",
        json={"receipt": "forged", "email_message_id": "forged"},
    )
    assert forged.status_code == 401
    done = fulfilled(api, order["id"])
    assert done["receipt"] != "forged"

    secret = emulated_aws.client("secretsmanager").get_secret_value(
        SecretId=internal_token_secret(StackSettings()).name
    )
    token = parse_token(secret["SecretString"])
    with_token = httpx.post(
        f"{service(local, 'fulfillment')}/dead-letters/redrive",
        headers={INTERNAL_TOKEN_HEADER: token},
    )
    assert with_token.status_code == 200, with_token.text
