"""Products and the DynamoDB table that holds them.

Item layout, one table:

* ``pk = "product#<id>"``: the product, plus ``entity = "product"`` and
  ``created = "<created_at>#<id>"`` so the sparse listing index orders products
  by creation time (cursor pagination without gaps or duplicates).
* ``pk = "sku#<sku>"``: a guard item that makes SKUs unique. It is written in
  the same transaction as the product, so a duplicate SKU can never slip in
  between a check and a write.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from services.catalog.resources import LISTING_INDEX
from services.common.dynamodb import (
    cancellation_codes,
    from_item,
    is_cancelled_transaction,
    query_page,
    to_item,
)
from services.common.errors import Conflict, NotFound
from services.common.fields import SKU_PATTERN


class ProductFields(BaseModel):
    """What a client may set on a product."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str = Field(pattern=SKU_PATTERN, description="Unique stock-keeping unit, e.g. MUG-001.")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    price_cents: int = Field(ge=0, le=100_000_000, description="Price in minor units.")
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    tags: list[str] = Field(default_factory=list, max_length=10)


class ProductChanges(BaseModel):
    """A partial update: only the fields present change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str | None = Field(default=None, pattern=SKU_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    price_cents: int | None = Field(default=None, ge=0, le=100_000_000)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    tags: list[str] | None = Field(default=None, max_length=10)


class Product(ProductFields):
    id: str
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases with every change.")


class ProductPage(BaseModel):
    items: list[Product]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


def _product_key(product_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"product#{product_id}"}}


def _sku_key(sku: str) -> dict[str, Any]:
    return {"pk": {"S": f"sku#{sku}"}}


def _to_item(product: Product) -> dict[str, Any]:
    data = product.model_dump(mode="json")
    data |= {
        "pk": f"product#{product.id}",
        "entity": "product",
        "created": f"{data['created_at']}#{product.id}",
    }
    return to_item(data)


def _from_item(item: dict[str, Any]) -> Product:
    data = from_item(item)
    return Product.model_validate({k: v for k, v in data.items() if k in Product.model_fields})


_CURSOR_KEY = {"pk", "entity", "created"}


class ProductStore:
    """Product CRUD on DynamoDB; raises domain errors, knows nothing of HTTP."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def create(self, fields: ProductFields, *, product_id: str | None = None) -> Product:
        now = datetime.now(UTC)
        product = Product(
            **fields.model_dump(),
            id=product_id or uuid.uuid4().hex,
            created_at=now,
            updated_at=now,
            version=1,
        )
        self._transact(
            [
                self._put_product(product, must_exist=False),
                self._claim_sku(product),
            ],
            sku=product.sku,
        )
        return product

    def get(self, product_id: str) -> Product:
        item = self._db.get_item(
            TableName=self._table, Key=_product_key(product_id), ConsistentRead=True
        ).get("Item")
        if item is None:
            raise NotFound(f"no product with id {product_id!r}")
        return _from_item(item)

    def find_by_sku(self, sku: str) -> Product | None:
        guard = self._db.get_item(
            TableName=self._table, Key=_sku_key(sku), ConsistentRead=True
        ).get("Item")
        return self.get(guard["product_id"]["S"]) if guard else None

    def update(self, product_id: str, changes: ProductChanges) -> Product:
        current = self.get(product_id)
        updated = current.model_copy(
            update=changes.model_dump(exclude_unset=True)
            | {"updated_at": datetime.now(UTC), "version": current.version + 1}
        )
        actions = [self._put_product(updated, must_exist=True, expected_version=current.version)]
        if updated.sku != current.sku:
            actions += [self._claim_sku(updated), self._release_sku(current)]
        self._transact(actions, sku=updated.sku)
        return updated

    def delete(self, product_id: str) -> Product:
        current = self.get(product_id)
        self._transact(
            [
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": _product_key(product_id),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": {"N": str(current.version)}},
                    }
                },
                self._release_sku(current),
            ],
            sku=current.sku,
        )
        return current

    def page(self, *, limit: int, cursor: str | None = None) -> ProductPage:
        """One page in creation order; asks for one extra item to know if more follow."""
        items, next_cursor = query_page(
            self._db,
            {
                "TableName": self._table,
                "IndexName": LISTING_INDEX,
                "KeyConditionExpression": "entity = :product",
                "ExpressionAttributeValues": {":product": {"S": "product"}},
            },
            key_names=_CURSOR_KEY,
            limit=limit,
            cursor=cursor,
        )
        return ProductPage(items=[_from_item(item) for item in items], next_cursor=next_cursor)

    def ping(self) -> None:
        """Readiness: the table exists and answers."""
        self._db.describe_table(TableName=self._table)

    def _put_product(
        self, product: Product, *, must_exist: bool, expected_version: int | None = None
    ) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self._table, "Item": _to_item(product)}
        if must_exist:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        else:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        return {"Put": put}

    def _claim_sku(self, product: Product) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": _sku_key(product.sku) | {"product_id": {"S": product.id}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _release_sku(self, product: Product) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self._table,
                "Key": _sku_key(product.sku),
                "ConditionExpression": "product_id = :id",
                "ExpressionAttributeValues": {":id": {"S": product.id}},
            }
        }

    def _transact(self, actions: list[dict[str, Any]], *, sku: str) -> None:
        """Run one transaction; a failed condition becomes a 409 that says which one."""
        try:
            self._db.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if not is_cancelled_transaction(error):
                raise
            codes = cancellation_codes(error)
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed" and "Put" in actions[1]:
                raise Conflict(f"SKU {sku!r} is already used by another product", sku=sku) from None
            raise Conflict(
                "the product was changed or deleted concurrently; fetch it and retry"
            ) from None
