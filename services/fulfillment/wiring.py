"""The Fulfiller built from settings: shared by the long-polling worker and the Lambda
handler, so both run the same business logic against the same resources."""

from datetime import timedelta

import httpx

from services.common.aws import aws_client
from services.common.internal import InternalAuth, InternalToken, internal_token_secret
from services.fulfillment.models import Fulfiller
from services.fulfillment.orders_api import OrdersApi
from services.fulfillment.settings import FulfillmentSettings


def build_fulfiller(settings: FulfillmentSettings, http: httpx.Client) -> Fulfiller:
    """``http`` is the orders service's client (its base URL), owned by the caller."""
    return Fulfiller(
        aws_client("s3", settings),
        aws_client("ses", settings),
        OrdersApi(http),
        bucket=settings.receipts_bucket,
        sender=settings.sender_email,
        lease=timedelta(seconds=settings.worker_lease_seconds),
    )


def orders_http(settings: FulfillmentSettings) -> httpx.Client:
    """The orders service's client; its writes carry the stack's internal token."""
    token = InternalToken(
        aws_client("secretsmanager", settings), internal_token_secret(settings).name
    )
    return httpx.Client(
        base_url=settings.orders_url.rstrip("/"), timeout=10, auth=InternalAuth(token)
    )
