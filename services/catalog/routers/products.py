"""HTTP face of the product store: status codes, headers, query parameters."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from services.catalog.dependencies import Images, Products
from services.catalog.images import UploadTicket
from services.catalog.models import Product, ProductChanges, ProductFields, ProductPage
from services.common.problems import problem_responses

router = APIRouter(prefix="/products", tags=["products"])

PROBLEMS = problem_responses(
    **{
        "404": "No such product",
        "409": "SKU already taken, or the product changed concurrently",
        "422": "A field is invalid; `errors` names it and says why",
    }
)


class ImageUploadRequest(BaseModel):
    content_type: str = Field(default="image/png", pattern=r"^image/[a-z0-9.+-]+$")


_PRODUCT_ID = {"product_id": "$response.body#/id"}
CREATED_LINKS: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Created; `Location` is where it lives",
        "links": {
            name: {"operationId": operation, "parameters": _PRODUCT_ID}
            for name, operation in {
                "GetProduct": "get_product",
                "UpdateProduct": "update_product",
                "DeleteProduct": "delete_product",
                "RequestImageUpload": "request_image_upload",
                "DownloadImage": "download_image",
            }.items()
        },
    }
}
"""OpenAPI links: what a client (and the API fuzzer's stateful phase) can do next."""


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS | CREATED_LINKS,
    operation_id="create_product",
)
async def create_product(fields: ProductFields, products: Products, response: Response) -> Product:
    product = await run_in_threadpool(products.create, fields)
    response.headers["Location"] = f"/products/{product.id}"
    return product


@router.get("", responses=PROBLEMS, operation_id="list_products")
async def list_products(
    products: Products,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="`next_cursor` of the previous page.")
    ] = None,
) -> ProductPage:
    return await run_in_threadpool(products.page, limit=limit, cursor=cursor)


@router.get("/{product_id}", responses=PROBLEMS, operation_id="get_product")
async def get_product(product_id: str, products: Products) -> Product:
    return await run_in_threadpool(products.get, product_id)


@router.patch("/{product_id}", responses=PROBLEMS, operation_id="update_product")
async def update_product(product_id: str, changes: ProductChanges, products: Products) -> Product:
    return await run_in_threadpool(products.update, product_id, changes)


@router.delete(
    "/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=PROBLEMS,
    operation_id="delete_product",
)
async def delete_product(product_id: str, products: Products, images: Images) -> None:
    await run_in_threadpool(products.delete, product_id)
    await run_in_threadpool(images.delete, product_id)


@router.post(
    "/{product_id}/image",
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS,
    operation_id="request_image_upload",
)
async def request_image_upload(
    product_id: str,
    products: Products,
    images: Images,
    upload: ImageUploadRequest | None = None,
) -> UploadTicket:
    """A presigned URL to PUT the image to, directly to S3, with the returned headers."""
    await run_in_threadpool(products.get, product_id)
    content_type = (upload or ImageUploadRequest()).content_type
    return images.upload_ticket(product_id, content_type)


@router.get(
    "/{product_id}/image",
    status_code=status.HTTP_307_TEMPORARY_REDIRECT,
    response_class=RedirectResponse,
    responses=PROBLEMS,
    operation_id="download_image",
)
async def download_image(product_id: str, products: Products, images: Images) -> RedirectResponse:
    """Redirects to a short-lived presigned URL of the image."""
    await run_in_threadpool(products.get, product_id)
    url = await run_in_threadpool(images.download_url, product_id)
    return RedirectResponse(url, status_code=status.HTTP_307_TEMPORARY_REDIRECT)
