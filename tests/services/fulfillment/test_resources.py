"""The worker's queue listens to the orders contract's topic, for OrderPlaced only."""

from services.common.resources import Queue, Subscription
from services.contracts import orders as contract
from services.fulfillment.resources import declared_resources
from services.fulfillment.settings import FulfillmentSettings
from services.orders.settings import OrdersSettings


def test_the_queue_subscribes_to_order_placed_on_the_orders_topic() -> None:
    resources = declared_resources()
    (subscription,) = [r for r in resources if isinstance(r, Subscription)]
    assert subscription.topic == OrdersSettings().events_topic == contract.topic(OrdersSettings())
    assert subscription.filter_policy == {"event_type": ["OrderPlaced"]}
    queues = {r.name: r for r in resources if isinstance(r, Queue)}
    worker = FulfillmentSettings()
    assert queues[worker.queue].dead_letter_queue == worker.dead_letter_queue
    assert subscription.queue == worker.queue
