"""``/fulfilments/{order_id}``: what the worker did for an order (receipt, e-mail, times)."""

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from services.common.problems import problem_responses
from services.fulfillment.dependencies import Records
from services.fulfillment.records import FulfilmentRecord

router = APIRouter(prefix="/fulfilments", tags=["fulfilments"])


@router.get(
    "/{order_id}",
    responses=problem_responses(**{"404": "The order has not reached the worker (yet)"}),
)
async def get_fulfilment(order_id: str, records: Records) -> FulfilmentRecord:
    return await run_in_threadpool(records.get, order_id)
