"""The flow view's data: each recent order's path through the stack, queues, dead letters.

An order's path is put together from what each hop already records, so nothing
is added to the hot path for the demo's sake:

* gateway → orders: ``placed_at`` and the request id the gateway issued (the
  order keeps it; the event carries it on, and the worker reuses it when it
  reports back, so one id follows the order end to end);
* outbox → SNS: ``published_at``, set on the order's item when its outbox mark is
  cleared (not part of the order's API answer, which a replay must repeat);
* SNS → SQS → worker: the SQS message id that took the order and when;
* S3 and SES: when the receipt was written and the e-mail sent (the worker's
  record, read through its API);
* orders: ``fulfilled_at``.

Recent orders are found by scanning the orders table (read-only, bounded): the
orders API lists a customer's orders, not everyone's. Local stacks only.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool

from services.fulfillment.records import FulfilmentRecord
from services.gateway.demo.aws_clients import AwsClients
from services.gateway.demo.queues import QueueInfo, queue_overview
from services.gateway.demo.upstreams import UpstreamError, Upstreams
from services.orders.models import Order, order_from_item

SCAN_LIMIT = 5000
"""Items scanned at most to find recent orders: the view stays bounded on a big table."""


@dataclass(frozen=True)
class Step:
    hop: str
    at: datetime | None
    detail: str


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    published_at: datetime | None


@dataclass(frozen=True)
class OrderPath:
    order: Order
    record: FulfilmentRecord | None
    steps: list[Step]

    def after_ms(self, step: Step) -> int | None:
        """Milliseconds from placing to this step."""
        if step.at is None:
            return None
        return round((step.at - self.order.placed_at).total_seconds() * 1000)


@dataclass(frozen=True)
class FlowState:
    paths: list[OrderPath]
    queues: list[QueueInfo]
    dead_letters: dict[str, Any] | None
    """The worker's own report (count and a sample), None when it is unreachable."""


def path_of(placed: PlacedOrder, record: FulfilmentRecord | None) -> OrderPath:
    order = placed.order
    request = f"request {order.request_id}" if order.request_id else "request id not recorded"
    receipt = record.receipt if record else None
    email = record.email if record else None
    steps = [
        Step("gateway → orders", order.placed_at, f"PLACED · {request}"),
        Step("outbox → SNS", placed.published_at, "OrderPlaced published"),
        Step(
            "SQS → worker",
            record.started_at if record else None,
            f"message {record.message_id}" if record else "waiting in the queue",
        ),
        Step("S3 receipt", receipt.written_at if receipt else None, receipt.key if receipt else ""),
        Step(
            "SES e-mail",
            email.sent_at if email else None,
            f"to {', '.join(email.to)} · message {email.message_id}" if email else "",
        ),
        Step(
            "orders: FULFILLED",
            order.fulfilled_at,
            f"reported with {request}" if order.fulfilled_at else "",
        ),
    ]
    return OrderPath(order, record, steps)


def recent_orders(dynamodb: Any, table: str, limit: int) -> list[PlacedOrder]:
    """The newest ``limit`` orders, by a bounded scan of the orders table."""
    found: list[PlacedOrder] = []
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "begins_with(pk, :order)",
        "ExpressionAttributeValues": {":order": {"S": "order#"}},
    }
    scanned = 0
    while scanned < SCAN_LIMIT:
        page = dynamodb.scan(**request)
        scanned += page.get("ScannedCount", 0)
        found += [PlacedOrder(order_from_item(item), _published_at(item)) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(found, key=lambda placed: placed.order.placed_at, reverse=True)[:limit]


def _published_at(item: dict[str, Any]) -> datetime | None:
    value = item.get("published_at", {}).get("S")
    return datetime.fromisoformat(value) if value else None


async def fulfilment_record(upstreams: Upstreams, order_id: str) -> FulfilmentRecord | None:
    try:
        found = await upstreams.get("fulfillment", f"/fulfilments/{order_id}")
    except UpstreamError:
        return None
    return FulfilmentRecord.model_validate(found) if found else None


async def flow_state(
    aws: AwsClients, upstreams: Upstreams, orders_table: str, queue_prefix: str, limit: int
) -> FlowState:
    orders, queues = await asyncio.gather(
        run_in_threadpool(recent_orders, aws.dynamodb, orders_table, limit),
        run_in_threadpool(queue_overview, aws.sqs, queue_prefix),
    )
    records = await asyncio.gather(
        *(fulfilment_record(upstreams, placed.order.id) for placed in orders)
    )
    try:
        dead_letters = await upstreams.get("fulfillment", "/dead-letters")
    except UpstreamError:
        dead_letters = None
    paths = [path_of(placed, record) for placed, record in zip(orders, records, strict=True)]
    return FlowState(paths, queues, dead_letters)
