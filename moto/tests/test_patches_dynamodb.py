"""durable Moto's DynamoDB patch: transactions cost what they touch, and behave as before.

Work is counted, never timed: items copied per transaction, models tracked.
The behaviour is compared with Moto as released, request by request.
"""

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import Item
from patch_helpers import moto_aws, tracked

TABLE = "orders"


def create_tables(db: Any) -> None:
    db.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    db.create_table(
        TableName="lines",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
    )


def store_items(count: int) -> None:
    """``count`` items straight into the backend: the table's size is the variable."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    for n in range(count):
        backend.put_item(TABLE, {"pk": {"S": f"stored-{n}"}, "n": {"N": str(n)}})


def order(n: int) -> list[dict[str, Any]]:
    """An order as the shop places it: a new order, a line, a stock update."""
    return [
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"order-{n}"}}}},
        {"Put": {"TableName": "lines", "Item": {"pk": {"S": f"order-{n}"}, "sk": {"S": "1"}}}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": {"pk": {"S": "stored-0"}},
                "UpdateExpression": "SET n = n - :one",
                "ConditionExpression": "n > :floor",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":floor": {"N": "-1000000"}},
            }
        },
    ]


def count_item_copies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    copies = [0]
    copy_item: Callable[..., Item] = Item.__deepcopy__

    def counted(self: Item, memo: dict[int, Any]) -> Item:
        copies[0] += 1
        return copy_item(self, memo)

    monkeypatch.setattr(Item, "__deepcopy__", counted)
    return copies


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "released"])
def test_a_transaction_copies_what_it_touches_not_the_table(
    patched: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied = {}
    for stored in (100, 5_000):
        with moto_aws(patched=patched):
            db: Any = boto3.client("dynamodb")  # requests written as plain dicts
            create_tables(db)
            store_items(stored)
            copies = count_item_copies(monkeypatch)
            db.transact_write_items(TransactItems=order(1))
            copied[stored] = copies[0]
            monkeypatch.undo()
    if patched:
        assert copied[5_000] == copied[100] <= 2  # the updated item, and update_item's old image
    else:  # Moto as released copies the whole table: this test can tell the difference
        assert copied[5_000] > 5_000 > copied[100]


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "released"])
def test_transactions_leave_no_tracked_copies(patched: bool) -> None:
    with moto_aws(patched=patched):
        db: Any = boto3.client("dynamodb")  # requests written as plain dicts
        create_tables(db)
        store_items(100)
        before = tracked(Item)
        for n in range(200):
            db.transact_write_items(TransactItems=order(n))
        grown = tracked(Item) - before
    if patched:
        assert grown == 2 * 200  # exactly the items the orders stored
    else:
        assert grown > 200 * 100


def run_scenario() -> list[Any]:
    """Transactions that succeed, are cancelled, or are refused; what a client sees after each."""
    db: Any = boto3.client("dynamodb")  # requests written as plain dicts
    create_tables(db)
    for n in range(5):
        db.put_item(TableName=TABLE, Item={"pk": {"S": f"stored-{n}"}, "n": {"N": str(n)}})
        db.put_item(TableName="lines", Item={"pk": {"S": "stored"}, "sk": {"S": str(n)}})
    outcomes: list[Any] = []
    check_fails = {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": {"pk": {"S": "stored-1"}},
            "ConditionExpression": "n = :two",
            "ExpressionAttributeValues": {":two": {"N": "2"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    delete = {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "stored-3"}}}}
    delete_line = {
        "Delete": {"TableName": "lines", "Key": {"pk": {"S": "stored"}, "sk": {"S": "2"}}}
    }
    new_line = {"Put": {"TableName": "lines", "Item": {"pk": {"S": "new"}, "sk": {"S": "1"}}}}
    transactions = [
        [*order(1), delete, delete_line],  # all succeed
        [*order(2), delete_line, new_line, check_fails],  # cancelled by the last
        [*order(3), {"Put": {"TableName": "missing", "Item": {"pk": {"S": "x"}}}}],
        [*order(4), {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "order-4"}}}}],  # twice
        [*order(5), {"Put": {"TableName": TABLE, "Item": {"pk": {"N": "1"}}}}],  # wrong type
        [{"Delete": {"TableName": "lines", "Key": {"pk": {"S": "stored"}}}}],  # no range key
        [{"ConditionCheck": check_fails["ConditionCheck"] | {"ConditionExpression": "n = :two"}}],
        [
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"pk": {"S": "stored-4"}},
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            check_fails,
        ],
    ]
    for items in transactions:
        try:
            db.transact_write_items(TransactItems=items)
            outcomes.append("ok")
        except ClientError as error:
            response = error.response
            outcomes.append(
                (
                    response["Error"],
                    response.get("CancellationReasons"),
                    response["ResponseMetadata"]["HTTPStatusCode"],
                )
            )
        for table in (TABLE, "lines"):
            items_now = db.scan(TableName=table)["Items"]
            outcomes.append(sorted(items_now, key=repr))
            outcomes.append(db.describe_table(TableName=table)["Table"]["ItemCount"])
    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[TABLE].stream_shard
    assert shard is not None
    outcomes.append([_stream_view(record.record["dynamodb"]) for record in shard.items])
    return outcomes


def _stream_view(change: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(change.get(key) for key in ("SequenceNumber", "Keys", "NewImage", "OldImage"))


def test_transactions_behave_exactly_as_moto_released() -> None:
    with moto_aws(patched=False):
        released = run_scenario()
    with moto_aws(patched=True):
        patched = run_scenario()
    assert patched == released
    assert released[0] == "ok"
    cancelled = released[5]
    assert cancelled[0]["Code"] == "TransactionCanceledException"
    assert [reason["Code"] for reason in cancelled[1]] == ["None"] * 5 + ["ConditionalCheckFailed"]
    assert cancelled[1][-1]["Item"] == {"pk": {"S": "stored-1"}, "n": {"N": "1"}}
