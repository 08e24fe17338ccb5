"""Fulfillment worker configuration: every variable is documented in ``.env.example``."""

from pydantic import Field

from services.common.fields import EMAIL_PATTERN
from services.common.settings import StackSettings


class FulfillmentSettings(StackSettings):
    orders_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Base URL of the orders service (http://orders:8000 inside compose).",
    )
    sender_email: str = Field(
        default="shop@motostack.example",
        pattern=EMAIL_PATTERN,
        description="From address of confirmation e-mails; the seeder verifies it in SES.",
    )
    worker_batch_size: int = Field(default=10, ge=1, le=10, description="Messages per receive.")
    worker_concurrency: int = Field(
        default=10, ge=1, le=10, description="Messages of a batch worked on at the same time."
    )
    worker_wait_seconds: int = Field(
        default=5, ge=0, le=20, description="Long-poll wait; also the longest a stop waits."
    )
    worker_visibility_timeout_seconds: int = Field(
        default=30, ge=5, le=43200, description="Extended while a message is being worked on."
    )
    worker_lease_seconds: int = Field(
        default=60, ge=5, description="How long a claim on an order blocks duplicate messages."
    )

    @property
    def queue(self) -> str:
        return self.resource_name("fulfillment", "orders")

    @property
    def dead_letter_queue(self) -> str:
        return self.resource_name("fulfillment", "orders-dlq")

    @property
    def receipts_bucket(self) -> str:
        return self.resource_name("fulfillment", "receipts")
