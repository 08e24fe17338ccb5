"""Demo data, loaded idempotently: products (``fixtures/products.json``) and their stock
(``fixtures/inventory.json``).

Fixture products get ids derived from their SKU, so every stack seeded from the
same files has the same ids, and a product already there is left untouched. A
stock level already there is left untouched too: re-seeding never undoes sales.
"""

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from services.catalog.models import ProductFields, ProductStore
from services.common.errors import Conflict
from services.orders.models import OrderStore

logger = logging.getLogger(__name__)
FIXTURE_NAMESPACE = uuid.UUID("6f1c3c4e-3b7a-4c8e-9a51-8d0f3c2b7e10")
_products_file = TypeAdapter(list[ProductFields])
_inventory_file = TypeAdapter(dict[str, int])


@dataclass
class LoadReport:
    created: int = 0
    unchanged: int = 0


def fixture_product_id(sku: str) -> str:
    return uuid.uuid5(FIXTURE_NAMESPACE, sku).hex


def read_products(path: Path) -> list[ProductFields]:
    """Parse and validate the file first: a bad fixture fails before anything is written."""
    return _products_file.validate_python(json.loads(path.read_text()))


def load_products(
    store: ProductStore,
    products: list[ProductFields],
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> LoadReport:
    report = LoadReport()
    for done, fields in enumerate(products, start=1):
        if store.find_by_sku(fields.sku) is not None:
            report.unchanged += 1
        else:
            try:
                store.create(fields, product_id=fixture_product_id(fields.sku))
                report.created += 1
            except Conflict:  # a concurrent seeder created it first
                report.unchanged += 1
        progress(done, len(products))
    return report


def read_inventory(path: Path) -> dict[str, int]:
    """SKU to units in stock; validated (and never negative) before anything is written."""
    levels = _inventory_file.validate_python(json.loads(path.read_text()))
    negative = sorted(sku for sku, units in levels.items() if units < 0)
    if negative:
        raise ValueError(f"{path.name}: negative stock for {', '.join(negative)}")
    return levels


def load_inventory(store: OrderStore, levels: dict[str, int]) -> LoadReport:
    report = LoadReport()
    for sku, units in levels.items():
        if store.set_stock(sku, units, only_if_new=True):
            report.created += 1
        else:
            report.unchanged += 1
    return report


LOADED_TAG = "motostack:fixtures-loaded"
"""Tag on the products table once the demo data was loaded: later seeds leave it alone, so a
product the user deleted stays deleted."""


def _table_arn(dynamodb: Any, table: str) -> str:
    return str(dynamodb.describe_table(TableName=table)["Table"]["TableArn"])


def fixtures_loaded(dynamodb: Any, table: str) -> bool:
    tags = dynamodb.list_tags_of_resource(ResourceArn=_table_arn(dynamodb, table)).get("Tags", [])
    return any(tag["Key"] == LOADED_TAG for tag in tags)


def mark_fixtures_loaded(dynamodb: Any, table: str) -> None:
    dynamodb.tag_resource(
        ResourceArn=_table_arn(dynamodb, table), Tags=[{"Key": LOADED_TAG, "Value": "true"}]
    )


@dataclass
class Missing:
    """Fixtures not (or no longer) in the stack."""

    products: int
    of_products: int
    stock: int
    of_stock: int

    def describe(self) -> str:
        return (
            f"{self.products} of {self.of_products} demo products and "
            f"{self.stock} of {self.of_stock} stock levels missing"
        )


def missing_fixtures(
    catalog: ProductStore, orders: OrderStore, products: list[ProductFields], levels: dict[str, int]
) -> Missing:
    return Missing(
        products=sum(catalog.find_by_sku(fields.sku) is None for fields in products),
        of_products=len(products),
        stock=sum(orders.stock(sku) is None for sku in levels),
        of_stock=len(levels),
    )
