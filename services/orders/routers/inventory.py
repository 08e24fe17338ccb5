"""Stock levels: how many units of a SKU can still be ordered."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from services.common.errors import NotFound
from services.common.fields import SKU_PATTERN
from services.common.problems import problem_responses
from services.orders.dependencies import Orders
from services.orders.models import StockLevel

router = APIRouter(prefix="/inventory", tags=["inventory"])
Sku = Annotated[str, Path(pattern=SKU_PATTERN)]


class StockChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    available: int = Field(ge=0, le=1_000_000, strict=True)


@router.get(
    "/{sku}",
    responses=problem_responses(**{"404": "No stock is kept for this SKU"}),
    operation_id="get_stock",
)
async def get_stock(sku: Sku, orders: Orders) -> StockLevel:
    stock = await run_in_threadpool(orders.stock, sku)
    if stock is None:
        raise NotFound(f"no stock is kept for SKU {sku!r}")
    return stock


@router.put(
    "/{sku}",
    responses=problem_responses(**{"422": "`available` is invalid"})
    | {
        200: {
            "description": "Set",
            "links": {
                "GetStock": {"operationId": "get_stock", "parameters": {"sku": "$request.path.sku"}}
            },
        }
    },
    operation_id="set_stock",
)
async def set_stock(sku: Sku, change: StockChange, orders: Orders) -> StockLevel:
    """Sets the units available (a restock, or a new SKU)."""
    await run_in_threadpool(orders.set_stock, sku, change.available)
    return StockLevel(sku=sku, available=change.available)
