"""An order's path, hop by hop, from what each hop recorded."""

from datetime import UTC, datetime, timedelta
from typing import Any

from services.fulfillment.records import FulfilmentRecord, SentEmail, StoredReceipt
from services.gateway.demo.flow import PlacedOrder, path_of, recent_orders
from services.orders.models import Order, OrderLine, OrderRequest, OrderStore

PLACED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _order(**changes: Any) -> Order:
    fields: dict[str, Any] = {
        "id": "0123456789abcdef",
        "customer": "ada@example.com",
        "lines": [OrderLine(sku="MUG-001", quantity=1)],
        "status": "PLACED",
        "placed_at": PLACED,
        "request_id": "req-1",
        "version": 1,
    }
    return Order(**fields | changes)


def test_a_placed_order_shows_its_first_hop_and_waits_for_the_rest() -> None:
    path = path_of(PlacedOrder(_order(), None), None)
    assert [step.hop for step in path.steps] == [
        "gateway → orders",
        "outbox → SNS",
        "SQS → worker",
        "S3 receipt",
        "SES e-mail",
        "orders: FULFILLED",
    ]
    assert [step.at is not None for step in path.steps] == [True] + [False] * 5
    assert "request req-1" in path.steps[0].detail


def test_a_fulfilled_order_shows_every_hop_in_milliseconds_from_placing() -> None:
    at = [PLACED + timedelta(milliseconds=ms) for ms in (0, 20, 150, 180, 210, 260)]
    record = FulfilmentRecord(
        order_id="0123456789abcdef",
        message_id="msg-1",
        started_at=at[2],
        done=True,
        receipt=StoredReceipt(key="receipts/x.json", written_at=at[3], content={}),
        email=SentEmail(
            message_id="ses-1",
            sender="shop@x.example",
            to=["ada@example.com"],
            subject="s",
            body="b",
            sent_at=at[4],
        ),
    )
    order = _order(status="FULFILLED", fulfilled_at=at[5], version=2)
    path = path_of(PlacedOrder(order, at[1]), record)
    assert [path.after_ms(step) for step in path.steps] == [0, 20, 150, 180, 210, 260]
    assert "message msg-1" in path.steps[2].detail
    assert "message ses-1" in path.steps[4].detail


def test_recent_orders_are_the_newest_with_their_publication_time(
    stack_clients: dict[str, Any],
) -> None:
    table = "motostack-local-orders-orders"
    store = OrderStore(stack_clients["dynamodb"], table)
    store.set_stock("MUG-001", 10)
    placed = [
        store.place(
            OrderRequest(customer="ada@example.com", lines=[OrderLine(sku="MUG-001", quantity=1)]),
            f"key-{n:08d}",
        ).order
        for n in range(3)
    ]
    store.mark_published(placed[0].id)
    recent = recent_orders(stack_clients["dynamodb"], table, limit=2)
    assert [r.order.id for r in recent] == [placed[2].id, placed[1].id]
    assert all(r.published_at is None for r in recent)
    [first] = [
        r for r in recent_orders(stack_clients["dynamodb"], table, 5) if r.order.id == placed[0].id
    ]
    assert first.published_at is not None
