"""Orders, stock and idempotency keys in one DynamoDB table.

Item layout (``pk`` only):

* ``order#<id>``: the order, with ``customer`` and ``placed`` (``<placed_at>#<id>``)
  for the per-customer index, and ``outbox = "pending"`` until its OrderPlaced
  event is published (the sparse outbox index lists exactly those).
* ``stock#<sku>``: ``available``, the units that can still be ordered.
* ``idem#<key>``: which order an ``Idempotency-Key`` produced and a hash of the
  request it came with; expires after the retention period (DynamoDB TTL).

Placing an order is one transaction: claim the key, write the order, and take
each line's quantity from stock *only if enough remains*. Either all of it
happens or none of it, so stock can never go negative and a retried request can
never place a second order.
"""

import hashlib
import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.common.dynamodb import (
    cancellation_codes,
    from_item,
    is_cancelled_transaction,
    query_page,
    to_item,
)
from services.common.errors import Conflict, InvalidField, NotFound
from services.common.fields import EMAIL_PATTERN, SKU_PATTERN
from services.orders.resources import CUSTOMER_INDEX, OUTBOX_INDEX

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, UpdateTypeDef

TRANSACTION_ATTEMPTS = 5
"""DynamoDB cancels transactions that race on an item (TransactionConflict); retry those."""


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    quantity: int = Field(ge=1, le=1000, strict=True)


class OrderRequest(BaseModel):
    """What a client sends to place an order."""

    model_config = ConfigDict(extra="forbid")

    customer: str = Field(
        pattern=EMAIL_PATTERN, max_length=254, description="E-mail address; the receipt goes here."
    )
    lines: list[OrderLine] = Field(min_length=1, max_length=25)

    @field_validator("lines")
    @classmethod
    def _one_line_per_sku(cls, lines: list[OrderLine]) -> list[OrderLine]:
        skus = [line.sku for line in lines]
        duplicated = sorted({sku for sku in skus if skus.count(sku) > 1})
        if duplicated:
            raise ValueError(f"each SKU may appear once; repeated: {', '.join(duplicated)}")
        return lines

    def fingerprint(self) -> str:
        """Same request, same fingerprint: what an idempotency key is bound to."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


class Fulfillment(BaseModel):
    """What the fulfillment worker reports when it is done with an order."""

    model_config = ConfigDict(extra="forbid")

    receipt: str = Field(min_length=1, max_length=1024, description="S3 key of the receipt.")
    email_message_id: str = Field(min_length=1, max_length=256)


class Order(BaseModel):
    id: str
    customer: str
    lines: list[OrderLine]
    status: Literal["PLACED", "FULFILLED"]
    placed_at: datetime
    fulfilled_at: datetime | None = None
    receipt: str | None = None
    email_message_id: str | None = None
    request_id: str | None = Field(
        default=None, description="Request id of the call that placed it: follows the order."
    )
    version: int = Field(description="1 when placed, 2 once fulfilled; never more.")


class OrderPage(BaseModel):
    items: list[Order]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class StockLevel(BaseModel):
    sku: str
    available: int


@dataclass(frozen=True)
class Placement:
    order: Order
    replayed: bool
    """True when the Idempotency-Key had already placed this order."""


_CURSOR_KEY = {"pk", "customer", "placed"}


def _order_key(order_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"order#{order_id}"}}


def _stock_key(sku: str) -> dict[str, Any]:
    return {"pk": {"S": f"stock#{sku}"}}


def _idempotency_key(key: str) -> dict[str, Any]:
    return {"pk": {"S": f"idem#{key}"}}


def _order_item(order: Order) -> dict[str, Any]:
    data = order.model_dump(mode="json")
    return to_item(
        data
        | {
            "pk": f"order#{order.id}",
            "placed": f"{data['placed_at']}#{order.id}",
            "outbox": "pending",
        }
    )


def order_from_item(item: dict[str, Any]) -> Order:
    data = from_item(item)
    return Order.model_validate({k: v for k, v in data.items() if k in Order.model_fields})


class OrderStore:
    """Orders and stock on DynamoDB; raises domain errors, knows nothing of HTTP."""

    def __init__(
        self,
        dynamodb: "DynamoDBClient",
        table: str,
        *,
        idempotency_retention: timedelta = timedelta(hours=24),
    ) -> None:
        self._db = dynamodb
        self._table = table
        self._retention = idempotency_retention

    def place(
        self, request: OrderRequest, idempotency_key: str, *, request_id: str | None = None
    ) -> Placement:
        fingerprint = request.fingerprint()
        now = datetime.now(UTC)
        # No read of the key first: the transaction's claim condition finds a used key, and
        # only then is it read (a replay is the rare case; reading first would cost every
        # placement a read).
        order = Order(
            id=uuid.uuid4().hex,
            customer=request.customer,
            lines=request.lines,
            status="PLACED",
            placed_at=now,
            request_id=request_id,
            version=1,
        )
        claim_key: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": _idempotency_key(idempotency_key)
                | to_item(
                    {
                        "order_id": order.id,
                        "fingerprint": fingerprint,
                        "expires_at": int((now + self._retention).timestamp()),
                    }
                ),
                # An expired key may be claimed again: DynamoDB's TTL deletes it only eventually
                # (and an emulator never), so expiry is decided here, not by its absence.
                "ConditionExpression": "attribute_not_exists(pk) OR expires_at <= :now",
                "ExpressionAttributeValues": {":now": {"N": str(int(now.timestamp()))}},
            }
        }
        write_order: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": _order_item(order),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        take_stock: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": _stock_key(line.sku),
                    "UpdateExpression": "SET available = available - :q",
                    "ConditionExpression": "attribute_exists(pk) AND available >= :q",
                    "ExpressionAttributeValues": {":q": {"N": str(line.quantity)}},
                }
            }
            for line in request.lines
        ]
        attempt = 0
        while True:
            try:
                self._db.transact_write_items(TransactItems=[claim_key, write_order, *take_stock])
                return Placement(order, replayed=False)
            except ClientError as error:
                if not is_cancelled_transaction(error):
                    raise
                codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":  # the key won elsewhere
                remembered = self._remembered(idempotency_key, now)
                assert remembered is not None, "a claimed key is written with its order"
                return self._replay(remembered, fingerprint)
            for line, code in zip(request.lines, codes[2:], strict=False):
                if code == "ConditionalCheckFailed":
                    self._refuse(line)
            attempt += 1
            if "TransactionConflict" not in codes or attempt == TRANSACTION_ATTEMPTS:
                raise Conflict(f"the order could not be placed ({', '.join(codes)}); retry")
            time.sleep(random.uniform(0.01, 0.05) * 2**attempt)

    def _refuse(self, line: OrderLine) -> None:
        """Say why a line's stock condition failed: unknown SKU (422) or too little (409)."""
        stock = self.stock(line.sku)
        if stock is None:
            raise InvalidField("lines.sku", f"no stock is kept for SKU {line.sku!r}")
        raise Conflict(
            f"not enough stock for {line.sku}: {stock.available} left, {line.quantity} asked",
            sku=line.sku,
            available=stock.available,
            requested=line.quantity,
        )

    def _remembered(self, idempotency_key: str, now: datetime) -> dict[str, Any] | None:
        """What the key placed, unless it has expired (then it is free for a new order)."""
        item = self._db.get_item(
            TableName=self._table, Key=_idempotency_key(idempotency_key), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        remembered = from_item(item)
        # The same whole-second clock as the claim's condition, so a key that condition
        # refused is always found here.
        return remembered if remembered["expires_at"] > int(now.timestamp()) else None

    def _replay(self, remembered: dict[str, Any], fingerprint: str) -> Placement:
        if remembered["fingerprint"] != fingerprint:
            raise InvalidField("Idempotency-Key", "was already used with a different request body")
        return Placement(self.get(remembered["order_id"]), replayed=True)

    def get(self, order_id: str) -> Order:
        item = self._db.get_item(
            TableName=self._table, Key=_order_key(order_id), ConsistentRead=True
        ).get("Item")
        if item is None:
            raise NotFound(f"no order with id {order_id!r}")
        return order_from_item(item)

    def page_by_customer(self, customer: str, *, limit: int, cursor: str | None) -> OrderPage:
        """One page of a customer's orders, oldest first (the index is eventually consistent)."""
        items, next_cursor = query_page(
            self._db,
            {
                "TableName": self._table,
                "IndexName": CUSTOMER_INDEX,
                "KeyConditionExpression": "customer = :c",
                "ExpressionAttributeValues": {":c": {"S": customer}},
            },
            key_names=_CURSOR_KEY,
            limit=limit,
            cursor=cursor,
        )
        return OrderPage(items=[order_from_item(item) for item in items], next_cursor=next_cursor)

    def mark_fulfilled(self, order_id: str, fulfillment: Fulfillment) -> Order:
        """PLACED → FULFILLED once; asking again returns the order unchanged."""
        now = datetime.now(UTC).isoformat()
        try:
            item = self._db.update_item(
                TableName=self._table,
                Key=_order_key(order_id),
                UpdateExpression=(
                    "SET #status = :fulfilled, fulfilled_at = :now, receipt = :receipt,"
                    " email_message_id = :message, version = version + :one"
                ),
                ConditionExpression="attribute_exists(pk) AND #status = :placed",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":fulfilled": "FULFILLED",
                        ":placed": "PLACED",
                        ":now": now,
                        ":receipt": fulfillment.receipt,
                        ":message": fulfillment.email_message_id,
                        ":one": 1,
                    }
                ),
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self.get(order_id)  # already fulfilled, or NotFound
        return order_from_item(item)

    def stock(self, sku: str) -> StockLevel | None:
        item = self._db.get_item(
            TableName=self._table, Key=_stock_key(sku), ConsistentRead=True
        ).get("Item")
        return StockLevel(sku=sku, available=from_item(item)["available"]) if item else None

    def set_stock(self, sku: str, available: int, *, only_if_new: bool = False) -> bool:
        """Set a SKU's stock; with ``only_if_new``, leave an existing level alone (the seeder)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "Item": _stock_key(sku) | to_item({"sku": sku, "available": available}),
        }
        if only_if_new:
            request["ConditionExpression"] = "attribute_not_exists(pk)"
        try:
            self._db.put_item(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def unpublished(self, limit: int = 100) -> list[Order]:
        """Orders whose OrderPlaced event has not been published yet, oldest first."""
        items = self._db.query(
            TableName=self._table,
            IndexName=OUTBOX_INDEX,
            KeyConditionExpression="outbox = :pending",
            ExpressionAttributeValues={":pending": {"S": "pending"}},
            Limit=limit,
        )["Items"]
        return [order_from_item(item) for item in items]

    def mark_published(self, *order_ids: str) -> None:
        """Clear the outbox marks of orders whose event went out: one order, one update;
        several, one transaction (one call), or one update each should any be missing."""
        now = {":now": {"S": datetime.now(UTC).isoformat()}}
        updates: list[UpdateTypeDef] = [
            {
                "TableName": self._table,
                "Key": _order_key(order_id),
                "UpdateExpression": "SET published_at = if_not_exists(published_at, :now)"
                " REMOVE outbox",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": now,
            }
            for order_id in order_ids
        ]
        if len(updates) > 1:
            try:
                self._db.transact_write_items(
                    TransactItems=[{"Update": update} for update in updates]
                )
                return
            except ClientError as error:
                if not is_cancelled_transaction(error):
                    raise
        for update in updates:
            try:
                self._db.update_item(**update)
            except ClientError as error:
                if len(updates) == 1 or error.response["Error"]["Code"] != (
                    "ConditionalCheckFailedException"
                ):
                    raise

    def ping(self) -> None:
        """Readiness: the table exists and answers."""
        self._db.describe_table(TableName=self._table)
