"""The orders Lambda entry points with realistic events (in-process Moto)."""

import json
from typing import Any

from services.orders.lambda_handler import handler as orders_handler
from services.orders.lambda_handler import relay_handler
from services.orders.models import OrderStore
from services.orders.settings import OrdersSettings
from tests.conftest import internal_headers
from tests.lambda_events import CONTEXT, http_api_event


def test_orders_places_an_order_and_the_relay_publishes_what_is_pending(
    stack_clients: dict[str, Any],
    mangum_loop: None,
) -> None:
    OrderStore(stack_clients["dynamodb"], OrdersSettings().orders_table).set_stock("MUG-001", 3)
    order = {"customer": "ada@example.com", "lines": [{"sku": "MUG-001", "quantity": 1}]}
    event = http_api_event(
        "POST",
        "/orders",
        body=order,
        headers={"idempotency-key": "lambda-0001"}
        | internal_headers(stack_clients["secretsmanager"]),
    )
    placed = orders_handler(event, CONTEXT)
    assert placed["statusCode"] == 201, placed["body"]
    assert json.loads(placed["body"])["status"] == "PLACED"
    assert relay_handler({"source": "aws.events"}, CONTEXT) == {"published": 0}
