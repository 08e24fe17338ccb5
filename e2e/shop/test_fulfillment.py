"""The fulfillment worker under at-least-once delivery: poison messages, crashes, replicas."""

import json
import threading
import uuid
from typing import Any

import httpx
import pytest

from e2e.emulated_aws import EmulatedAws
from e2e.helpers import eventually
from e2e.shop.helpers import customer, events_topic_arn, fulfilled, place, stocked_sku
from e2e.stacks import ControllableStack, ScalableStack
from services.contracts.orders import EVENT_TYPE_ATTRIBUTE


def _place_many(api: httpx.Client, count: int) -> list[dict[str, Any]]:
    sku = stocked_sku(api, count)
    orders = []
    for _ in range(count):
        response = place(api, sku)
        assert response.status_code == 201, response.text
        orders.append(response.json())
    return orders


def _assert_fulfilled_once(
    api: httpx.Client, orders: list[dict[str, Any]], emulated_aws: EmulatedAws | None = None
) -> None:
    for order in orders:
        done = fulfilled(api, order["id"])
        assert done["version"] == 2, f"order {order['id']} changed status more than once"
        if emulated_aws is not None:
            assert len(emulated_aws.emails_to(order["customer"])) == 1


def test_a_poison_message_goes_to_the_dead_letter_queue_and_work_goes_on(
    api: httpx.Client, emulated_aws: EmulatedAws
) -> None:
    sns = emulated_aws.client("sns")
    topic = events_topic_arn(emulated_aws)
    marker = uuid.uuid4().hex
    sns.publish(
        TopicArn=topic,
        Message=json.dumps({"type": "OrderPlaced", "schema_version": 1, "marker": marker}),
        MessageAttributes={
            EVENT_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": "OrderPlaced"}
        },
    )
    good = _place_many(api, 2)

    def dead_lettered() -> dict[str, Any] | None:
        report = api.get("/fulfillment/dead-letters").json()
        return next((m for m in report["sample"] if marker in m["body"]), None)

    eventually(dead_lettered, 60, "the poison message in the dead-letter queue")
    _assert_fulfilled_once(api, good)


@pytest.mark.parametrize("how", ["kill", "stop"], ids=["kill-9", "sigterm"])
def test_stopping_the_worker_mid_stream_loses_and_repeats_nothing(
    api: httpx.Client, controlled_stack: ControllableStack, emulated_aws: EmulatedAws, how: str
) -> None:
    before = _place_many(api, 10)
    getattr(controlled_stack, how)("fulfillment")  # some of those in flight
    during = _place_many(api, 5)
    controlled_stack.start("fulfillment")
    orders = before + during
    _assert_fulfilled_once(api, orders)
    # One e-mail each, except in the documented window (killed between SES accepting the
    # e-mail and recording it), which can repeat at most the one e-mail then in flight.
    emails = [len(emulated_aws.emails_to(order["customer"])) for order in orders]
    assert min(emails) == 1
    assert sum(emails) <= len(orders) + 1, emails


def test_killing_moto_mid_stream_loses_no_acknowledged_order(
    api: httpx.Client, controlled_stack: ControllableStack
) -> None:
    sku = stocked_sku(api, 1000)
    acknowledged: list[dict[str, Any]] = []
    stop = threading.Event()

    def shop() -> None:
        while not stop.is_set():
            try:
                response = place(api, sku, who=customer())
            except httpx.TransportError:
                continue
            if response.status_code == 201:
                acknowledged.append(response.json())

    shopper = threading.Thread(target=shop)
    shopper.start()
    try:
        eventually(lambda: True if len(acknowledged) >= 5 else None, 60, "five orders placed")
        controlled_stack.kill("moto")
        controlled_stack.start("moto")
        count = len(acknowledged)
        eventually(lambda: True if len(acknowledged) >= count + 5 else None, 90, "orders again")
    finally:
        stop.set()
        shopper.join()
    _assert_fulfilled_once(api, acknowledged)


def test_three_workers_fulfil_every_order_exactly_once(
    api: httpx.Client, scalable_stack: ScalableStack, emulated_aws: EmulatedAws
) -> None:
    scalable_stack.scale("fulfillment", 3)
    try:
        _assert_fulfilled_once(api, _place_many(api, 30), emulated_aws)
    finally:
        scalable_stack.scale("fulfillment", 1)
