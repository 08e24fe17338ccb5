"""The fulfillment worker: a queue consumer, plus a small HTTP side for probes and dead letters.

Run with ``uvicorn services.fulfillment.main:app``. The consumer runs in a
thread started by the lifespan; uvicorn's SIGTERM handling ends the lifespan,
which stops the consumer cleanly (see ``consumer.py``).
"""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from services.common.app import create_app
from services.common.aws import aws_client
from services.fulfillment.consumer import Consumer
from services.fulfillment.dead_letters import DeadLetters
from services.fulfillment.orders_api import OrdersApi
from services.fulfillment.records import FulfilmentRecords
from services.fulfillment.routers import dead_letters, records
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.wiring import build_fulfiller, orders_http


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: FulfillmentSettings = app.state.settings
    sqs, s3 = aws_client("sqs", settings), aws_client("s3", settings)
    http = orders_http(settings)
    orders = OrdersApi(http)
    fulfiller = build_fulfiller(settings, http)
    app.state.records = FulfilmentRecords(s3, settings.receipts_bucket, fulfiller.ledger)
    app.state.dead_letters = await run_in_threadpool(
        DeadLetters, sqs, settings.queue, settings.dead_letter_queue
    )
    queue_url = (await run_in_threadpool(sqs.get_queue_url, QueueName=settings.queue))["QueueUrl"]
    consumer = Consumer(
        sqs,
        queue_url,
        fulfiller,
        batch_size=settings.worker_batch_size,
        concurrency=settings.worker_concurrency,
        wait_seconds=settings.worker_wait_seconds,
        visibility_timeout_seconds=settings.worker_visibility_timeout_seconds,
    )
    thread = threading.Thread(target=consumer.run, name="consumer", daemon=True)

    async def queue() -> None:
        await run_in_threadpool(app.state.dead_letters.ping)

    async def receipts_bucket() -> None:
        await run_in_threadpool(s3.head_bucket, Bucket=settings.receipts_bucket)

    async def orders_service() -> None:
        await run_in_threadpool(orders.ping)

    async def consumer_running() -> None:
        if not thread.is_alive():
            raise RuntimeError("the consumer thread has stopped")

    app.state.readiness_checks.update(
        queue=queue,
        receipts_bucket=receipts_bucket,
        orders_service=orders_service,
        consumer=consumer_running,
    )
    thread.start()
    yield
    consumer.stop()
    await run_in_threadpool(thread.join, settings.worker_wait_seconds + 30)
    http.close()


app = create_app(
    service="fulfillment",
    settings=FulfillmentSettings(),
    routers=[dead_letters.router, records.router],
    aws_services=("sqs", "s3", "ses"),
    lifespan=lifespan,
    description="Consumes OrderPlaced: receipt to S3, e-mail through SES, order marked "
    "FULFILLED. Dead letters are listed and re-driven here.",
)
