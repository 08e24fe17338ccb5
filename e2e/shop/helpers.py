"""Helpers for the shop's e2e tests: stocking SKUs, placing orders, waiting for fulfilment."""

import uuid
from typing import Any

import httpx

from e2e.emulated_aws import EmulatedAws
from e2e.helpers import eventually
from services.orders.settings import OrdersSettings

FULFILMENT_DEADLINE = 90.0
"""Seconds an order may take to be fulfilled; covers a Moto restart and a redelivery."""


def unique_sku() -> str:
    return f"E2E-{uuid.uuid4().hex[:12].upper()}"


def stocked_sku(api: httpx.Client, units: int) -> str:
    """A fresh SKU with ``units`` in stock, so tests never share stock."""
    sku = f"E2E-{uuid.uuid4().hex[:10].upper()}"
    response = api.put(f"/inventory/{sku}", json={"available": units})
    assert response.status_code == 200, response.text
    return sku


def customer() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.com"


def place(
    api: httpx.Client,
    sku: str,
    quantity: int = 1,
    *,
    who: str | None = None,
    key: str | None = None,
) -> httpx.Response:
    return api.post(
        "/orders",
        json={"customer": who or customer(), "lines": [{"sku": sku, "quantity": quantity}]},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def fulfilled(api: httpx.Client, order_id: str, timeout: float = FULFILMENT_DEADLINE) -> Any:
    """The order once FULFILLED."""

    def check() -> Any:
        try:
            response = api.get(f"/orders/{order_id}")
        except httpx.TransportError:
            return None
        if response.status_code != 200 or response.json()["status"] != "FULFILLED":
            return None
        return response.json()

    return eventually(check, timeout, f"order {order_id} FULFILLED")


def available(api: httpx.Client, sku: str) -> int:
    response = api.get(f"/inventory/{sku}")
    assert response.status_code == 200, response.text
    units: int = response.json()["available"]
    return units


def events_topic_arn(emulated_aws: EmulatedAws) -> str:
    """The ARN of the topic orders publish their events on."""
    topics = emulated_aws.client("sns").list_topics()["Topics"]
    suffix = f":{OrdersSettings().events_topic}"
    return str(next(t["TopicArn"] for t in topics if t["TopicArn"].endswith(suffix)))
