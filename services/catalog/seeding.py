"""The catalog's demo data: ``fixtures/products.json``, loaded idempotently by the seeder.

Fixture products get ids derived from their SKU, so every stack seeded from the
same file has the same ids, and a product already there is left untouched.
"""

import uuid
from collections.abc import Callable
from pathlib import Path

from pydantic import TypeAdapter

from services.catalog.models import ProductFields, ProductStore
from services.catalog.settings import CatalogSettings
from services.common.errors import Conflict
from services.common.seeding import LoadReport, SeedRun, read_fixture

FIXTURES_DIR = Path(__file__).with_name("fixtures")
FIXTURE_NAMESPACE = uuid.UUID("6f1c3c4e-3b7a-4c8e-9a51-8d0f3c2b7e10")
_products_file = TypeAdapter(list[ProductFields])


def fixture_product_id(sku: str) -> str:
    return uuid.uuid5(FIXTURE_NAMESPACE, sku).hex


def read_products(path: Path) -> list[ProductFields]:
    """Parse and validate the file first: a bad fixture fails before anything is written."""
    return read_fixture(path, _products_file)


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


def seed(run: SeedRun) -> int:
    """The seeder's entry point (services/common/seeding.py)."""
    if not run.with_fixtures:
        return 0
    products = read_products(FIXTURES_DIR / "products.json")
    store = ProductStore(run.clients["dynamodb"], CatalogSettings().products_table)
    report = load_products(
        store, products, lambda done, total: run.progress("products", done, total)
    )
    return report.log("products")
