"""Events out in batches: one PublishBatch and one transaction for orders placed together."""

import asyncio
import json
from typing import Any

import pytest

from services.orders.models import Order, OrderRequest, OrderStore
from services.orders.outbox import EventQueue, Outbox
from services.orders.settings import OrdersSettings


@pytest.fixture
def store(stack_clients: dict[str, Any]) -> OrderStore:
    store = OrderStore(stack_clients["dynamodb"], OrdersSettings().orders_table)
    store.set_stock("MUG-001", 100)
    return store


@pytest.fixture
def outbox(store: OrderStore, stack_clients: dict[str, Any]) -> Outbox:
    sns = stack_clients["sns"]
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    return Outbox(store, sns, topic)


@pytest.fixture
def probe(stack_clients: dict[str, Any], outbox: Outbox) -> str:
    """A queue subscribed to the topic, filtered as the fulfillment queue is."""
    sns, sqs = stack_clients["sns"], stack_clients["sqs"]
    queue = sqs.create_queue(QueueName="probe")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn["QueueArn"],
        Attributes={
            "RawMessageDelivery": "true",
            "FilterPolicy": json.dumps({"event_type": ["OrderPlaced"]}),
        },
    )
    return str(queue)


def placed(store: OrderStore, count: int) -> list[Order]:
    request = OrderRequest.model_validate(
        {"customer": "ada@example.com", "lines": [{"sku": "MUG-001", "quantity": 1}]}
    )
    return [store.place(request, f"key-{n:08d}").order for n in range(count)]


def received_ids(sqs: Any, queue: str) -> set[str]:
    ids: set[str] = set()
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        ids |= {json.loads(m["Body"])["order"]["id"] for m in messages}
    return ids


def test_a_batch_goes_out_in_one_publish_and_one_transaction(
    store: OrderStore, outbox: Outbox, probe: str, stack_clients: dict[str, Any],
    aws_calls: list[str],
) -> None:  # fmt: skip
    orders = placed(store, 5)
    aws_calls.clear()
    assert outbox.publish_batch(orders) == 5
    assert aws_calls == ["sns:PublishBatch", "dynamodb:TransactWriteItems"]
    assert store.unpublished() == []
    assert received_ids(stack_clients["sqs"], probe) == {order.id for order in orders}


def test_a_missing_order_does_not_keep_the_others_marked(
    store: OrderStore, outbox: Outbox, stack_clients: dict[str, Any]
) -> None:
    orders = placed(store, 3)
    stack_clients["dynamodb"].delete_item(
        TableName=OrdersSettings().orders_table, Key={"pk": {"S": f"order#{orders[1].id}"}}
    )
    assert outbox.publish_batch(orders) == 3
    assert store.unpublished() == []


def test_orders_queued_together_go_out_together(
    store: OrderStore, outbox: Outbox, probe: str, stack_clients: dict[str, Any],
    aws_calls: list[str],
) -> None:  # fmt: skip
    orders = placed(store, 12)
    aws_calls.clear()

    async def queue_and_send() -> None:
        events = EventQueue(outbox)
        for order in orders:
            events.put(order)
        sender = asyncio.create_task(events.send_forever())
        await events.drain()
        sender.cancel()

    asyncio.run(queue_and_send())
    assert aws_calls.count("sns:PublishBatch") == 2, "ten to a batch"
    assert aws_calls.count("dynamodb:TransactWriteItems") == 2
    assert received_ids(stack_clients["sqs"], probe) == {order.id for order in orders}
