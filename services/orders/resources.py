"""What the orders service owns: one table (orders, stock, idempotency keys) and the topic
its events go to."""

from services.common.internal import internal_token_secret
from services.common.resources import Index, Resource, Table, Topic
from services.orders.settings import OrdersSettings

CUSTOMER_INDEX = "by-customer"
"""Orders of one customer, oldest first: ``GET /orders?customer=``."""

OUTBOX_INDEX = "outbox"
"""Sparse: only orders whose OrderPlaced event is not yet published carry the key."""


def declared_resources() -> list[Resource]:
    """What the seeder creates for this service (services/registry.toml)."""
    return orders_resources(OrdersSettings())


def orders_resources(settings: OrdersSettings) -> list[Resource]:
    return [
        Table(
            name=settings.orders_table,
            partition_key="pk",
            indexes=(
                Index(CUSTOMER_INDEX, partition_key="customer", sort_key="placed"),
                Index(OUTBOX_INDEX, partition_key="outbox", sort_key="placed"),
            ),
            ttl_attribute="expires_at",
        ),
        Topic(name=settings.events_topic),
        internal_token_secret(settings),
    ]
