"""Placing orders against real DynamoDB transaction semantics (in-process Moto)."""

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from services.common.errors import Conflict, InvalidField
from services.orders.models import Fulfillment, OrderRequest, OrderStore
from services.orders.outbox import Outbox
from services.orders.settings import OrdersSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CUSTOMER = "ada@example.com"


@pytest.fixture
def store(stack_clients: dict[str, Any]) -> OrderStore:
    store = OrderStore(stack_clients["dynamodb"], OrdersSettings().orders_table)
    store.set_stock("MUG-001", 5)
    store.set_stock("TEE-001", 1)
    return store


def order(*lines: tuple[str, int], customer: str = CUSTOMER) -> OrderRequest:
    return OrderRequest.model_validate(
        {"customer": customer, "lines": [{"sku": s, "quantity": q} for s, q in lines]}
    )


def available(store: OrderStore, sku: str) -> int:
    stock = store.stock(sku)
    assert stock is not None
    return stock.available


def test_placing_takes_stock_and_records_the_order(store: OrderStore) -> None:
    placement = store.place(order(("MUG-001", 2), ("TEE-001", 1)), "key-00000001")
    assert not placement.replayed
    assert placement.order.status == "PLACED"
    assert placement.order.version == 1
    assert store.get(placement.order.id) == placement.order
    assert (available(store, "MUG-001"), available(store, "TEE-001")) == (3, 0)


def test_same_key_and_body_replays_without_a_second_order(store: OrderStore) -> None:
    first = store.place(order(("MUG-001", 2)), "key-00000001")
    again = store.place(order(("MUG-001", 2)), "key-00000001")
    assert again.replayed
    assert again.order == first.order
    assert available(store, "MUG-001") == 3
    assert len(store.page_by_customer(CUSTOMER, limit=10, cursor=None).items) == 1


def test_same_key_with_another_body_is_refused(store: OrderStore) -> None:
    store.place(order(("MUG-001", 2)), "key-00000001")
    with pytest.raises(InvalidField) as error:
        store.place(order(("MUG-001", 3)), "key-00000001")
    assert error.value.extra["errors"] == [
        {"field": "Idempotency-Key", "reason": "was already used with a different request body"}
    ]
    assert available(store, "MUG-001") == 3


def test_not_enough_stock_names_the_sku_and_writes_nothing(store: OrderStore) -> None:
    with pytest.raises(Conflict) as error:
        store.place(order(("MUG-001", 1), ("TEE-001", 2)), "key-00000001")
    assert error.value.extra == {"sku": "TEE-001", "available": 1, "requested": 2}
    assert (available(store, "MUG-001"), available(store, "TEE-001")) == (5, 1)
    assert store.page_by_customer(CUSTOMER, limit=10, cursor=None).items == []
    # The key was not used up: once restocked, the same request goes through.
    store.set_stock("TEE-001", 2)
    assert not store.place(order(("MUG-001", 1), ("TEE-001", 2)), "key-00000001").replayed


def test_unknown_sku_is_a_field_error(store: OrderStore) -> None:
    with pytest.raises(InvalidField) as error:
        store.place(order(("NOPE-001", 1)), "key-00000001")
    assert error.value.extra["errors"] == [
        {"field": "lines.sku", "reason": "no stock is kept for SKU 'NOPE-001'"}
    ]


def test_stock_runs_out_exactly(store: OrderStore) -> None:
    results = []
    for n in range(7):
        try:
            store.place(order(("MUG-001", 1)), f"key-{n:08d}")
            results.append("placed")
        except Conflict:
            results.append("refused")
    assert results == ["placed"] * 5 + ["refused"] * 2
    assert available(store, "MUG-001") == 0


def test_a_sku_may_appear_once_per_order() -> None:
    with pytest.raises(ValueError, match="repeated: MUG-001"):
        order(("MUG-001", 1), ("MUG-001", 2))


def test_fulfilling_changes_the_status_once(store: OrderStore) -> None:
    placed = store.place(order(("MUG-001", 1)), "key-00000001").order
    done = Fulfillment(receipt="receipts/x.json", email_message_id="m-1")
    first = store.mark_fulfilled(placed.id, done)
    second = store.mark_fulfilled(placed.id, Fulfillment(receipt="other", email_message_id="m-2"))
    assert first.status == "FULFILLED"
    assert first.version == 2
    assert second == first


def test_customer_pages_follow_each_other(store: OrderStore) -> None:
    store.set_stock("MUG-001", 100)
    ids = [store.place(order(("MUG-001", 1)), f"key-{n:08d}").order.id for n in range(5)]
    store.place(order(("MUG-001", 1), customer="bob@example.com"), "key-bob-0001")
    seen, cursor = [], None
    while True:
        page = store.page_by_customer(CUSTOMER, limit=2, cursor=cursor)
        seen += [o.id for o in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert seen == ids


def test_unpublished_events_survive_an_sns_outage(
    store: OrderStore, stack_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sns, sqs = stack_clients["sns"], stack_clients["sqs"]
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    outbox = Outbox(store, sns, topic)
    placed = store.place(order(("MUG-001", 1)), "key-00000001").order
    sns.delete_topic(TopicArn=topic)  # SNS "down": the publish after the commit fails
    assert outbox.publish_batch([placed]) == 0
    assert [o.id for o in store.unpublished()] == [placed.id]

    sns.create_topic(Name=topic.rsplit(":", 1)[-1])  # back, with the same ARN
    queue = sqs.create_queue(QueueName="probe")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    monkeypatch.setattr("services.orders.outbox.SETTLE", timedelta(0))
    assert outbox.relay() == 1
    assert store.unpublished() == []
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    event = json.loads(message["Body"])
    assert (event["type"], event["schema_version"]) == ("OrderPlaced", 1)
    assert event["order"]["id"] == placed.id


class ConflictsOnce:
    """The real DynamoDB client, except that the first transaction races another one
    (TransactionConflict), which Moto never does on its own."""

    def __init__(self, dynamodb: Any) -> None:
        self._db = dynamodb
        self.conflicts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def transact_write_items(self, **request: Any) -> Any:
        if not self.conflicts:
            self.conflicts += 1
            reasons: list[Any] = [
                {"Code": "None"},
                {"Code": "None"},
                {"Code": "TransactionConflict"},
            ]
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": reasons,
                },
                "TransactWriteItems",
            )
        return self._db.transact_write_items(**request)


def test_a_transaction_conflict_is_retried(stack_clients: dict[str, Any]) -> None:
    racing = ConflictsOnce(stack_clients["dynamodb"])
    store = OrderStore(cast("DynamoDBClient", racing), OrdersSettings().orders_table)
    store.set_stock("MUG-001", 5)
    assert not store.place(order(("MUG-001", 2)), "key-00000001").replayed
    assert racing.conflicts == 1
    assert available(store, "MUG-001") == 3


def test_an_expired_idempotency_key_places_a_new_order(stack_clients: dict[str, Any]) -> None:
    """Nothing deletes the key record in time (DynamoDB's TTL is eventual, Moto has none):
    the store itself must treat an expired key as free."""
    store = OrderStore(
        stack_clients["dynamodb"], OrdersSettings().orders_table, idempotency_retention=timedelta(0)
    )
    store.set_stock("MUG-001", 5)
    first = store.place(order(("MUG-001", 1)), "key-expiring-1")
    second = store.place(order(("MUG-001", 2)), "key-expiring-1")  # a different body, too
    assert not second.replayed
    assert second.order.id != first.order.id
    assert available(store, "MUG-001") == 2


def test_a_live_idempotency_key_still_replays(store: OrderStore) -> None:
    first = store.place(order(("MUG-001", 1)), "key-live-0001")
    again = store.place(order(("MUG-001", 1)), "key-live-0001")
    assert (again.replayed, again.order.id) == (True, first.order.id)
    with pytest.raises(InvalidField):
        store.place(order(("MUG-001", 2)), "key-live-0001")
