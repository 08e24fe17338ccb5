"""Getting every placed order's event out, even when SNS fails right after the commit.

The transactional outbox: the order item is written with ``outbox = "pending"``
in the same transaction that places it. After the commit the service publishes
at once and clears the mark. If publishing fails (SNS down, the process killed
between commit and publish), the mark stays, and the relay, a loop in every
orders process, publishes it again every few seconds. The mark lives in
DynamoDB, so it survives restarts; a published event can be published twice
(the mark is cleared after the publish), which the at-least-once consumers
already handle. An order is therefore never left unfulfilled for want of an
event.
"""

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fastapi.concurrency import run_in_threadpool

from services.contracts.orders import EVENT_TYPE_ATTRIBUTE, EventLine, OrderPlaced, PlacedOrder
from services.orders.models import Order, OrderStore

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

logger = logging.getLogger(__name__)

SETTLE = timedelta(seconds=2)
"""The relay leaves orders this young to the request that placed them (fewer duplicates)."""


def order_placed(order: Order) -> OrderPlaced:
    """The event of one order; its id is derived from the order so re-publications match."""
    return OrderPlaced(
        event_id=f"{order.id}:placed",
        occurred_at=order.placed_at,
        order=PlacedOrder(
            id=order.id,
            customer=order.customer,
            lines=[EventLine(sku=line.sku, quantity=line.quantity) for line in order.lines],
            placed_at=order.placed_at,
            request_id=order.request_id,
        ),
    )


class Outbox:
    """Publishes OrderPlaced events and clears their outbox marks."""

    def __init__(self, store: OrderStore, sns: "SNSClient", topic_arn: str) -> None:
        self.store = store
        self._sns = sns
        self._topic_arn = topic_arn

    def ping_topic(self) -> None:
        """Readiness: the events topic answers."""
        self._sns.get_topic_attributes(TopicArn=self._topic_arn)

    def publish(self, order: Order) -> bool:
        """Publish one order's event; False (logged, left to the relay) when that fails."""
        event = order_placed(order)
        try:
            self._sns.publish(
                TopicArn=self._topic_arn,
                Message=event.model_dump_json(),
                MessageAttributes={
                    EVENT_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": event.type}
                },
            )
            self.store.mark_published(order.id)
        except Exception:  # the order is committed: never fail the request over its event
            logger.warning("OrderPlaced for %s not published yet; the relay retries", order.id)
            return False
        return True

    def relay(self) -> int:
        """Publish every pending event once; returns how many went out."""
        settled = datetime.now(UTC) - SETTLE
        pending = [order for order in self.store.unpublished() if order.placed_at < settled]
        return sum(self.publish(order) for order in pending)

    async def relay_forever(self, interval_seconds: float) -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            try:
                sent = await run_in_threadpool(self.relay)
            except Exception:
                logger.warning("outbox relay could not read pending events", exc_info=True)
                continue
            if sent:
                logger.info("outbox relay published %d pending OrderPlaced events", sent)
