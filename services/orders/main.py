"""The orders service: places orders against stock and publishes OrderPlaced.

Run with ``uvicorn services.orders.main:app``.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from services.common.app import create_app
from services.common.aws import aws_client, topic_arn
from services.orders.models import OrderStore
from services.orders.outbox import Outbox
from services.orders.routers import inventory, orders
from services.orders.settings import OrdersSettings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: OrdersSettings = app.state.settings
    sns = aws_client("sns", settings)
    store = OrderStore(
        aws_client("dynamodb", settings),
        settings.orders_table,
        idempotency_retention=timedelta(hours=settings.idempotency_retention_hours),
    )
    arn = await run_in_threadpool(topic_arn, sns, settings.events_topic)
    if arn is None:
        raise RuntimeError(f"topic {settings.events_topic} does not exist; run the seeder")
    app.state.orders = store
    app.state.outbox = Outbox(store, sns, arn)

    async def orders_table() -> None:
        await run_in_threadpool(store.ping)

    async def events_topic() -> None:
        await run_in_threadpool(sns.get_topic_attributes, TopicArn=arn)

    app.state.readiness_checks.update(orders_table=orders_table, events_topic=events_topic)
    relay = asyncio.create_task(app.state.outbox.relay_forever(settings.outbox_interval_seconds))
    yield
    relay.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await relay


app = create_app(
    service="orders",
    settings=OrdersSettings(),
    routers=[orders.router, inventory.router],
    aws_services=("dynamodb", "sns"),
    lifespan=lifespan,
    description="Orders placed against stock with idempotency keys; publishes OrderPlaced.",
)
