"""Orders configuration: every variable is documented in ``.env.example``."""

from pydantic import Field

from services.common.settings import StackSettings
from services.contracts import orders as contract


class OrdersSettings(StackSettings):
    outbox_interval_seconds: float = Field(
        default=5,
        gt=0,
        description="How often unpublished OrderPlaced events are looked for and sent again.",
    )
    idempotency_retention_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="How long an Idempotency-Key is remembered."
    )

    @property
    def orders_table(self) -> str:
        return self.resource_name("orders", "orders")

    @property
    def events_topic(self) -> str:
        return contract.topic(self)
