"""The orders store and its outbox, built from settings: shared by the service's lifespan and
the Lambda relay, so both publish through the same store, topic and outbox."""

from datetime import timedelta

from services.common.aws import aws_client, topic_arn
from services.orders.models import OrderStore
from services.orders.outbox import Outbox
from services.orders.settings import OrdersSettings


def build_outbox(settings: OrdersSettings) -> Outbox:
    """Blocking (it looks the topic up): a lifespan runs it in the thread pool."""
    sns = aws_client("sns", settings)
    store = OrderStore(
        aws_client("dynamodb", settings),
        settings.orders_table,
        idempotency_retention=timedelta(hours=settings.idempotency_retention_hours),
    )
    arn = topic_arn(sns, settings.events_topic)
    if arn is None:
        raise RuntimeError(f"topic {settings.events_topic} does not exist; run the seeder")
    return Outbox(store, sns, arn)
