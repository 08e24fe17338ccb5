"""A fulfiller wired to the real orders app (in-process) and in-process Moto."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from moto.backends import get_backend

from services.contracts.orders import OrderPlaced
from services.fulfillment.models import Fulfiller
from services.fulfillment.orders_api import OrdersApi
from services.fulfillment.settings import FulfillmentSettings
from services.orders.main import app as orders_app
from services.orders.models import Order
from services.orders.outbox import order_placed
from tests.conftest import internal_headers
from tests.services.orders.conftest import events_sent


@pytest.fixture
def orders(stack_clients: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(
        orders_app, headers=internal_headers(stack_clients["secretsmanager"])
    ) as client:
        client.put("/inventory/MUG-001", json={"available": 100})
        yield client


def new_fulfiller(stack_clients: dict[str, Any], orders: TestClient) -> Fulfiller:
    """A worker process's fulfiller (each has its own e-mail window)."""
    settings = FulfillmentSettings()
    return Fulfiller(
        stack_clients["s3"],
        stack_clients["ses"],
        OrdersApi(orders),
        bucket=settings.receipts_bucket,
        sender=settings.sender_email,
        lease=timedelta(seconds=60),
    )


@pytest.fixture
def fulfiller(stack_clients: dict[str, Any], orders: TestClient) -> Fulfiller:
    return new_fulfiller(stack_clients, orders)


@pytest.fixture
def place(orders: TestClient) -> Any:
    """Place an order through the API; returns its OrderPlaced event."""
    counter = iter(range(1_000_000))

    def place_one(customer: str = "ada@example.com") -> OrderPlaced:
        response = orders.post(
            "/orders",
            json={"customer": customer, "lines": [{"sku": "MUG-001", "quantity": 1}]},
            headers={"Idempotency-Key": f"test-key-{next(counter):06d}"},
        )
        assert response.status_code == 201, response.text
        events_sent(orders)  # in the queue before the test polls it
        return order_placed(Order.model_validate(response.json()))

    return place_one


def sent_emails(to: str) -> list[Any]:
    """What the emulated SES recorded as sent to ``to``."""
    backend = get_backend("ses")["123456789012"]["us-east-1"]
    return [m for m in backend.sent_messages if to in m.destinations["ToAddresses"]]
