"""Product pictures for the fixture products, so the demo shop's grid is never blank.

Each picture is a small SVG drawn from the product itself (a colour from its
SKU, its name as the label): no binary files in the repository, and the same
fixture always gets the same picture. Uploaded only where a product has none,
so a picture someone replaced is left alone.
"""

import hashlib
from typing import Any
from xml.sax.saxutils import escape

from seed.fixtures import LoadReport, fixture_product_id
from services.catalog.images import ImageStore
from services.catalog.models import ProductFields

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


def load_images(s3: Any, bucket: str, products: list[ProductFields]) -> LoadReport:
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
