"""The fulfillment worker's SQS Lambda handler: partial batch failures, same logic."""

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from devstack.waiting import free_port, wait_healthy
from services.fulfillment import lambda_handler as fulfillment_lambda
from services.orders.main import app as orders_app
from tests.lambda_events import CONTEXT, sqs_event
from tests.services.fulfillment.conftest import sent_emails


@pytest.fixture
def orders_server(stack_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The orders app on a real port, for the worker's HTTP calls."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(orders_app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_healthy(f"{url}/healthz", 30, alive=thread.is_alive)
    monkeypatch.setenv("ORDERS_URL", url)
    fulfillment_lambda._fulfiller.cache_clear()
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def test_fulfillment_reports_only_the_failed_records(
    orders_server: str, stack_clients: dict[str, Any], place: Any
) -> None:
    good = place()
    answer = fulfillment_lambda.handler(
        sqs_event(good.model_dump_json(), '{"type": "OrderPlaced", "schema_version": 7}'),
        CONTEXT,
    )
    poison_id = sqs_event("", "")["Records"][1]["messageId"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": poison_id}]}
    assert len(sent_emails(good.order.customer)) == 1
