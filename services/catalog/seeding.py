"""The catalog's demo data: ``fixtures/products.json`` and a picture of each, loaded
idempotently by the seeder.

Fixture products get ids derived from their SKU, so every stack seeded from the
same file has the same ids, and a product already there is left untouched.

Each picture is a small SVG drawn from the product itself (a colour from its
SKU, its name as the label): no binary files in the repository, and the same
fixture always gets the same picture. Uploaded only where a product has none,
so a picture someone replaced is left alone; the demo shop's grid is never blank.
"""

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from pydantic import TypeAdapter

from services.catalog.images import ImageStore
from services.catalog.models import ProductFields, ProductStore
from services.catalog.settings import CatalogSettings
from services.common.errors import Conflict
from services.common.seeding import (
    LoadReport,
    SeedRun,
    fixtures_line,
    mark_fixtures_loaded,
    read_fixture,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

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


SVG_TYPE = "image/svg+xml"


def product_svg(product: ProductFields) -> bytes:
    """A 320x240 tile: background hue from the SKU, the product's name and SKU on it."""
    hue = int(hashlib.sha256(product.sku.encode()).hexdigest()[:4], 16) % 360
    kind = product.sku.split("-", 1)[0]
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" \
viewBox="0 0 320 240">
<rect width="320" height="240" fill="hsl({hue},55%,82%)"/>
<circle cx="160" cy="100" r="62" fill="hsl({hue},45%,45%)"/>
<text x="160" y="114" font-family="sans-serif" font-size="36" font-weight="bold" \
text-anchor="middle" fill="#fff">{escape(kind)}</text>
<text x="160" y="206" font-family="sans-serif" font-size="20" text-anchor="middle" \
fill="#222">{escape(product.name)}</text>
</svg>
""".encode()


def load_images(s3: "S3Client", bucket: str, products: list[ProductFields]) -> LoadReport:
    """One listing finds the pictures already there (a re-seed uploads nothing)."""
    present = {
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="products/")
        for item in page.get("Contents", [])
    }
    report = LoadReport()
    for product in products:
        key = ImageStore.key(fixture_product_id(product.sku))
        if key in present:
            report.unchanged += 1
            continue
        s3.put_object(Bucket=bucket, Key=key, Body=product_svg(product), ContentType=SVG_TYPE)
        report.created += 1
    return report


def seed(run: SeedRun) -> int:
    """The seeder's entry point (services/common/seeding.py): once per stack unless asked."""
    settings = CatalogSettings()
    if not run.fixtures_due(settings.products_table, "products"):
        return 0
    products = read_products(FIXTURES_DIR / "products.json")
    store = ProductStore(run.clients["dynamodb"], settings.products_table)
    report = load_products(
        store, products, lambda done, total: run.progress("products", done, total)
    )
    images = load_images(run.clients["s3"], settings.images_bucket, products)
    mark_fixtures_loaded(run.clients["dynamodb"], settings.products_table)
    return report.log("products") + images.log("images")


def plan(clients: dict[str, Any]) -> str:
    """``seed plan``'s line for the demo products."""
    settings = CatalogSettings()
    products = read_products(FIXTURES_DIR / "products.json")
    store = ProductStore(clients["dynamodb"], settings.products_table)
    return fixtures_line(
        clients["dynamodb"],
        settings.products_table,
        "demo products",
        lambda: sum(store.find_by_sku(fields.sku) is None for fields in products),
        len(products),
    )
