"""The catalog service: products and their images.

Run with ``uvicorn services.catalog.main:app``.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from services.catalog.images import ImageStore
from services.catalog.models import ProductStore
from services.catalog.routers import products
from services.catalog.settings import CatalogSettings
from services.common.app import create_app
from services.common.aws import aws_client


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: CatalogSettings = app.state.settings
    s3 = aws_client("s3", settings)
    presigner = (
        aws_client("s3", settings, endpoint_url=settings.public_aws_endpoint_url)
        if settings.public_aws_endpoint_url
        else s3
    )
    app.state.products = ProductStore(aws_client("dynamodb", settings), settings.products_table)
    app.state.images = ImageStore(
        s3, presigner, settings.images_bucket, settings.presign_expiry_seconds
    )

    async def products_table() -> None:
        await run_in_threadpool(app.state.products.ping)

    async def images_bucket() -> None:
        await run_in_threadpool(app.state.images.ping)

    app.state.readiness_checks.update(products_table=products_table, images_bucket=images_bucket)
    yield


app = create_app(
    service="catalog",
    settings=CatalogSettings(),
    routers=[products.router],
    aws_services=("dynamodb", "s3"),
    lifespan=lifespan,
    description="Products with cursor pagination and presigned image upload/download.",
)
