"""The ``OrderPlaced`` event: the contract between orders and its subscribers.

It lives here, not in the orders package, so a subscriber depends on the
contract and never on the publisher's code; its JSON Schema is published in
``schemas/`` (``python -m services.contracts`` writes it) for consumers in any
language.

Published to the orders topic as the JSON body below, with the message
attribute ``event_type`` (what subscription filter policies match on). Adding an
optional field keeps ``schema_version``; anything else bumps it, and consumers
reject versions they do not know (their messages end in the dead-letter queue
instead of being misread).
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.fields import EMAIL_PATTERN, SKU_PATTERN
from services.common.settings import StackSettings
from services.contracts import EVENT_TYPE_ATTRIBUTE

__all__ = ["EVENTS", "EVENT_TYPE_ATTRIBUTE", "EventLine", "OrderPlaced", "PlacedOrder", "topic"]


def topic(settings: StackSettings) -> str:
    """The SNS topic orders publishes to and subscribers subscribe to."""
    return settings.resource_name("orders", "events")


class EventLine(BaseModel):
    sku: str = Field(pattern=SKU_PATTERN)
    quantity: int = Field(ge=1)


class PlacedOrder(BaseModel):
    id: str
    customer: str = Field(pattern=EMAIL_PATTERN)
    lines: list[EventLine] = Field(min_length=1)
    placed_at: datetime
    request_id: str | None = Field(
        default=None, description="Of the request that placed it; consumers pass it on."
    )


class OrderPlaced(BaseModel):
    """Published once per order, at least once: consumers must be idempotent on ``order.id``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: Literal["OrderPlaced"] = "OrderPlaced"
    schema_version: Literal[1] = 1
    event_id: str = Field(description="Same on every re-publication of one order's event.")
    occurred_at: datetime
    order: PlacedOrder


EVENTS = (OrderPlaced,)
"""What this contract publishes a schema for."""
