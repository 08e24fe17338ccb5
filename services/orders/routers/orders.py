"""HTTP face of placing, reading and fulfilling orders."""

from typing import Annotated, Any

from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Header, Query, Response, status
from fastapi.concurrency import run_in_threadpool

from services.common.fields import EMAIL_PATTERN
from services.common.problems import problem_responses
from services.orders.dependencies import Events, Orders
from services.orders.models import Fulfillment, Order, OrderPage, OrderRequest

router = APIRouter(prefix="/orders", tags=["orders"])

PROBLEMS = problem_responses(
    **{
        "404": "No such order",
        "409": "Not enough stock: `sku`, `available` and `requested` say for what",
        "422": "A field is invalid (`errors` names it), an unknown SKU, or an Idempotency-Key "
        "reused with a different body",
    }
)
REPLAYED_HEADER = "Idempotent-Replayed"


_ORDER_ID = {"order_id": "$response.body#/id"}
PLACED_LINKS: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Placed (or replayed: see `Idempotent-Replayed`)",
        "links": {
            "GetOrder": {"operationId": "get_order", "parameters": _ORDER_ID},
            "FulfilOrder": {"operationId": "fulfil_order", "parameters": _ORDER_ID},
            "ListCustomerOrders": {
                "operationId": "list_orders",
                "parameters": {"customer": "$response.body#/customer"},
            },
        },
    }
}
"""OpenAPI links: what a client (and the API fuzzer's stateful phase) can do next."""


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS | PLACED_LINKS,
    operation_id="place_order",
)
async def place_order(
    request: OrderRequest,
    orders: Orders,
    events: Events,
    response: Response,
    idempotency_key: Annotated[
        str,
        Header(
            min_length=8,
            max_length=128,
            pattern=r"^[\x21-\x7e]+$",
            description="Chosen by the client, unique per order (a UUID). Retrying with the "
            "same key and body returns the first answer instead of placing a second order.",
        ),
    ],
) -> Order:
    """Takes the stock and records the order in one transaction, then publishes OrderPlaced."""
    placement = await run_in_threadpool(
        orders.place, request, idempotency_key, request_id=correlation_id.get()
    )
    if not placement.replayed:
        # Sent by the queue's own task: the committed order carries its outbox mark, so the
        # event goes out even if this process dies first (the relay), and the client does not
        # wait for it.
        events.put(placement.order)
    response.headers["Location"] = f"/orders/{placement.order.id}"
    response.headers[REPLAYED_HEADER] = str(placement.replayed).lower()
    return placement.order


@router.get("", responses=PROBLEMS, operation_id="list_orders")
async def list_orders(
    orders: Orders,
    customer: Annotated[str, Query(pattern=EMAIL_PATTERN, max_length=254)],
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="`next_cursor` of the previous page.")
    ] = None,
) -> OrderPage:
    """A customer's orders, oldest first."""
    return await run_in_threadpool(orders.page_by_customer, customer, limit=limit, cursor=cursor)


@router.get("/{order_id}", responses=PROBLEMS, operation_id="get_order")
async def get_order(order_id: str, orders: Orders) -> Order:
    return await run_in_threadpool(orders.get, order_id)


@router.put("/{order_id}/fulfillment", responses=PROBLEMS, operation_id="fulfil_order")
async def fulfil_order(order_id: str, fulfillment: Fulfillment, orders: Orders) -> Order:
    """Marks the order FULFILLED (the fulfillment worker calls this). Idempotent: a second
    call returns the order as the first call left it."""
    return await run_in_threadpool(orders.mark_fulfilled, order_id, fulfillment)
