"""Demo data: products from ``fixtures/products.json``, loaded idempotently.

Fixture products get ids derived from their SKU, so every stack seeded from the
same files has the same ids, and a product already there is left untouched.
"""

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter

from services.catalog.models import ProductFields, ProductStore
from services.common.errors import Conflict

logger = logging.getLogger(__name__)
FIXTURE_NAMESPACE = uuid.UUID("6f1c3c4e-3b7a-4c8e-9a51-8d0f3c2b7e10")
_products_file = TypeAdapter(list[ProductFields])


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
