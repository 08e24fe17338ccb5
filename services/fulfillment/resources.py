"""What the fulfillment worker owns: its queue (subscribed to the orders topic) and dead-letter
queue, the receipts bucket, and the verified sender of its e-mails."""

from services.common.internal import internal_token_secret
from services.common.resources import Bucket, EmailIdentity, Queue, Resource, Subscription
from services.contracts import EVENT_TYPE_ATTRIBUTE
from services.contracts import orders as contract
from services.fulfillment.settings import FulfillmentSettings

MAX_RECEIVES = 3
"""A message received this many times without being handled moves to the dead-letter queue."""


def declared_resources() -> list[Resource]:
    """What the seeder creates for this service (services/registry.toml); the topic is the
    orders contract's, so this needs nothing from the orders package."""
    settings = FulfillmentSettings()
    return fulfillment_resources(settings, contract.topic(settings))


def fulfillment_resources(settings: FulfillmentSettings, orders_topic: str) -> list[Resource]:
    return [
        Queue(name=settings.dead_letter_queue, retention_seconds=14 * 24 * 3600),
        Queue(
            name=settings.queue,
            visibility_timeout_seconds=settings.worker_visibility_timeout_seconds,
            dead_letter_queue=settings.dead_letter_queue,
            max_receive_count=MAX_RECEIVES,
        ),
        Subscription(
            topic=orders_topic,
            queue=settings.queue,
            filter_policy={EVENT_TYPE_ATTRIBUTE: ["OrderPlaced"]},
        ),
        Bucket(name=settings.receipts_bucket, cors_origins=()),
        EmailIdentity(address=settings.sender_email),
        internal_token_secret(settings),  # its calls to the orders service carry the token
    ]
