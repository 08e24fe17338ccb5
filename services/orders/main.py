"""The orders service: places orders against stock and publishes OrderPlaced.

Run with ``uvicorn services.orders.main:app``.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from services.common.app import create_app
from services.orders.outbox import EventQueue
from services.orders.routers import inventory, orders
from services.orders.settings import OrdersSettings
from services.orders.wiring import build_outbox


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: OrdersSettings = app.state.settings
    outbox = await run_in_threadpool(build_outbox, settings)
    store = outbox.store
    app.state.orders = store

    async def orders_table() -> None:
        await run_in_threadpool(store.ping)

    async def events_topic() -> None:
        await run_in_threadpool(outbox.ping_topic)

    app.state.readiness_checks.update(orders_table=orders_table, events_topic=events_topic)
    events = app.state.events = EventQueue(outbox)
    tasks = [
        asyncio.create_task(events.send_forever()),
        asyncio.create_task(outbox.relay_forever(settings.outbox_interval_seconds)),
    ]
    yield
    await events.drain()  # what is queued goes out now rather than after the relay's wait
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


app = create_app(
    service="orders",
    settings=OrdersSettings(),
    routers=[orders.router, inventory.router],
    aws_services=("dynamodb", "sns"),
    lifespan=lifespan,
    description="Orders placed against stock with idempotency keys; publishes OrderPlaced.",
)
