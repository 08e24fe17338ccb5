"""Products and the DynamoDB table that holds them.

Item layout, one table:

* ``pk = "product#<id>"``: the product, plus ``entity = "product"`` and
  ``created = "<created_at>#<id>"`` so the sparse listing index orders products
  by creation time (cursor pagination without gaps or duplicates).
* ``pk = "sku#<sku>"``: a guard item that makes SKUs unique. It is written in
  the same transaction as the product, so a duplicate SKU can never slip in
  between a check and a write.
"""

import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.catalog.resources import LISTING_INDEX
from services.common.dynamodb import (
    cancellation_codes,
    from_item,
    is_cancelled_transaction,
    query_page,
    to_item,
)
from services.common.errors import Conflict, NotFound
from services.common.fields import SKU_PATTERN, Description, Name, Trimmed

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        DeleteTypeDef,
        PutTypeDef,
        TransactWriteItemTypeDef,
    )

logger = logging.getLogger(__name__)

Tag = Annotated[str, Field(min_length=1, max_length=50), Trimmed()]
"""Bounded, like every text field: a product item stays far below DynamoDB's 400 KB limit."""


class ProductFields(BaseModel):
    """What a client may set on a product."""

    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN, description="Unique stock-keeping unit, e.g. MUG-001.")
    name: Name
    description: Description = ""
    price_cents: int = Field(
        ge=0, le=100_000_000, strict=True, description="Price in minor units (an integer)."
    )
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    tags: list[Tag] = Field(default_factory=list, max_length=10)


def _without_defaults(schema: dict[str, Any]) -> None:
    for field in schema.get("properties", {}).values():
        field.pop("default", None)


class ProductChanges(BaseModel):
    """A partial update: only the fields present change. No field may be set to null: a
    product without its SKU, name or price would be stored broken (an absent field is
    what "leave it alone" means)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_defaults)

    # None only marks "not sent" (fields are read with exclude_unset) and is never validated;
    # a null a client sends is validated against the type, and refused with a 422.
    sku: str = Field(default=None, pattern=SKU_PATTERN)  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    description: Description = None  # type: ignore[assignment]
    price_cents: int = Field(default=None, ge=0, le=100_000_000, strict=True)  # type: ignore[assignment]
    currency: str = Field(default=None, pattern=r"^[A-Z]{3}$")  # type: ignore[assignment]
    tags: list[Tag] = Field(default=None, max_length=10)  # type: ignore[arg-type]


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


class DamagedProduct(Conflict):
    """A stored product that no longer validates (written by an older version, or by hand).

    It is answered as what it is instead of a 500, and can still be deleted."""


def _from_item(item: dict[str, Any]) -> Product:
    data = from_item(item)
    try:
        return Product.model_validate({k: v for k, v in data.items() if k in Product.model_fields})
    except ValidationError as error:
        fields = sorted({".".join(map(str, e["loc"])) for e in error.errors()})
        raise DamagedProduct(
            f"product {data.get('id')!r} is stored damaged (invalid: {', '.join(fields)}); "
            "delete it and create it again",
            invalid_fields=fields,
        ) from None


def _valid_products(items: list[dict[str, Any]]) -> list[Product]:
    """A listing skips damaged products (logged) rather than failing every page that holds one."""
    products = []
    for item in items:
        try:
            products.append(_from_item(item))
        except DamagedProduct as damaged:
            logger.warning("listing skips a damaged product: %s", damaged.detail)
    return products


_CURSOR_KEY = {"pk", "entity", "created"}


class ProductStore:
    """Product CRUD on DynamoDB; raises domain errors, knows nothing of HTTP."""

    def __init__(self, dynamodb: "DynamoDBClient", table: str) -> None:
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
        return _from_item(self._item(product_id))

    def _item(self, product_id: str) -> dict[str, Any]:
        item: dict[str, Any] | None = self._db.get_item(
            TableName=self._table, Key=_product_key(product_id), ConsistentRead=True
        ).get("Item")
        if item is None:
            raise NotFound(f"no product with id {product_id!r}")
        return item

    def find_by_sku(self, sku: str) -> Product | None:
        owner = self._sku_owner(sku)
        return self.get(owner) if owner else None

    def update(self, product_id: str, changes: ProductChanges) -> Product:
        current = self.get(product_id)
        updated = current.model_copy(
            update=changes.model_dump(exclude_unset=True)
            | {"updated_at": datetime.now(UTC), "version": current.version + 1}
        )
        actions = [self._put_product(updated, must_exist=True, expected_version=current.version)]
        if updated.sku != current.sku:
            actions += [self._claim_sku(updated), self._release_sku(current.sku, current.id)]
        self._transact(actions, sku=updated.sku)
        return updated

    def delete(self, product_id: str) -> None:
        """Deletes the product and frees its SKU; works on a damaged product too, so one can
        always be got rid of."""
        item = self._item(product_id)
        delete: DeleteTypeDef = {"TableName": self._table, "Key": _product_key(product_id)}
        if "version" in item:
            delete["ConditionExpression"] = "version = :v"
            delete["ExpressionAttributeValues"] = {":v": item["version"]}
        else:
            delete["ConditionExpression"] = "attribute_not_exists(version)"
        actions: list[TransactWriteItemTypeDef] = [{"Delete": delete}]
        sku = item.get("sku", {}).get("S")
        if sku is not None and self._sku_owner(sku) == product_id:
            actions.append(self._release_sku(sku, product_id))
        self._transact(actions, sku=sku or "")

    def _sku_owner(self, sku: str) -> str | None:
        guard = self._db.get_item(
            TableName=self._table, Key=_sku_key(sku), ConsistentRead=True
        ).get("Item")
        return str(guard["product_id"]["S"]) if guard else None

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
        return ProductPage(items=_valid_products(items), next_cursor=next_cursor)

    def ping(self) -> None:
        """Readiness: the table exists and answers."""
        self._db.describe_table(TableName=self._table)

    def _put_product(
        self, product: Product, *, must_exist: bool, expected_version: int | None = None
    ) -> "TransactWriteItemTypeDef":
        put: PutTypeDef = {"TableName": self._table, "Item": _to_item(product)}
        if must_exist:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        else:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        return {"Put": put}

    def _claim_sku(self, product: Product) -> "TransactWriteItemTypeDef":
        return {
            "Put": {
                "TableName": self._table,
                "Item": _sku_key(product.sku) | {"product_id": {"S": product.id}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _release_sku(self, sku: str, product_id: str) -> "TransactWriteItemTypeDef":
        return {
            "Delete": {
                "TableName": self._table,
                "Key": _sku_key(sku),
                "ConditionExpression": "product_id = :id",
                "ExpressionAttributeValues": {":id": {"S": product_id}},
            }
        }

    def _transact(self, actions: list["TransactWriteItemTypeDef"], *, sku: str) -> None:
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
