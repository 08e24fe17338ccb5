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

Events of orders placed at about the same time go out together: one SNS
``PublishBatch`` of up to ten, and their marks cleared in one DynamoDB
transaction, instead of two calls per order. Under load that halves the calls
per order; alone, an order goes out at once, as before (``EventQueue``).
"""

import asyncio
import logging
from collections.abc import Iterator
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

BATCH = 10
"""SNS's limit for one PublishBatch."""


def batches(orders: list[Order]) -> Iterator[list[Order]]:
    for start in range(0, len(orders), BATCH):
        yield orders[start : start + BATCH]


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

    def publish_batch(self, orders: list[Order]) -> int:
        """Publish up to ``BATCH`` orders' events in one call and clear the marks of those
        that went out; returns how many did. What fails is logged and left to the relay."""
        events = {str(n): order_placed(order) for n, order in enumerate(orders)}
        try:
            answer = self._sns.publish_batch(
                TopicArn=self._topic_arn,
                PublishBatchRequestEntries=[
                    {
                        "Id": entry,
                        "Message": event.model_dump_json(),
                        "MessageAttributes": {
                            EVENT_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": event.type}
                        },
                    }
                    for entry, event in events.items()
                ],
            )
            sent = [orders[int(done["Id"])].id for done in answer.get("Successful", [])]
            if sent:
                self.store.mark_published(*sent)
        except Exception:  # the orders are committed: never fail a request over its event
            ids = ", ".join(order.id for order in orders)
            logger.warning("OrderPlaced for %s not published yet; the relay retries", ids)
            return 0
        if len(sent) < len(orders):
            logger.warning(
                "%d of %d OrderPlaced events refused by SNS; the relay retries",
                len(orders) - len(sent), len(orders),
            )  # fmt: skip
        return len(sent)

    def relay(self) -> int:
        """Publish every pending event once; returns how many went out."""
        settled = datetime.now(UTC) - SETTLE
        pending = [order for order in self.store.unpublished() if order.placed_at < settled]
        return sum(self.publish_batch(batch) for batch in batches(pending))

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


class EventQueue:
    """The events of orders just placed, sent by one task: those that arrive while a batch
    is being sent go out together in the next. An order placed alone goes out at once.

    Nothing here needs to survive the process: an order's outbox mark is in DynamoDB
    from the moment it is placed, and the relay sends whatever this queue did not.
    """

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._pending: list[Order] = []
        self._arrived = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def put(self, order: Order) -> None:
        """Queue an order's event (from the event loop: never waits)."""
        self._pending.append(order)
        self._idle.clear()
        self._arrived.set()

    async def send_forever(self) -> None:
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            await self._send_pending()

    async def _send_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
            await run_in_threadpool(self._outbox.publish_batch, batch)
        self._idle.set()

    async def drain(self) -> None:
        """Wait until every queued event has been sent, or tried (a stop, a test)."""
        await self._idle.wait()
