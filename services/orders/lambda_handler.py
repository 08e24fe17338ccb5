"""AWS Lambda entry points for orders.

``handler``: API Gateway HTTP API (payload 2.0) events to the same FastAPI app
(Mangum runs its lifespan around each invocation). ``relay_handler``: the outbox
relay for a schedule (EventBridge, every minute), since no background loop
outlives a Lambda invocation.
"""

from typing import Any

from mangum import Mangum

from services.common.aws import aws_client, topic_arn
from services.common.target import enforce_target
from services.orders.main import app
from services.orders.models import OrderStore
from services.orders.outbox import Outbox
from services.orders.settings import OrdersSettings

handler = Mangum(app, lifespan="auto")


def relay_handler(event: dict[str, Any], context: object) -> dict[str, int]:
    """Publish every pending OrderPlaced event; returns how many went out."""
    settings = OrdersSettings()
    enforce_target(settings, ("dynamodb", "sns"))
    sns = aws_client("sns", settings)
    arn = topic_arn(sns, settings.events_topic)
    if arn is None:
        raise RuntimeError(f"topic {settings.events_topic} does not exist")
    store = OrderStore(aws_client("dynamodb", settings), settings.orders_table)
    return {"published": Outbox(store, sns, arn).relay()}
