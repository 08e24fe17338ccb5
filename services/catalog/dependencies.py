"""Request-scoped access to the stores the lifespan created (one client per process)."""

from typing import Annotated

from fastapi import Depends, Request

from services.catalog.images import ImageStore
from services.catalog.models import ProductStore


def _products(request: Request) -> ProductStore:
    store: ProductStore = request.app.state.products
    return store


def _images(request: Request) -> ImageStore:
    store: ImageStore = request.app.state.images
    return store


Products = Annotated[ProductStore, Depends(_products)]
Images = Annotated[ImageStore, Depends(_images)]
