"""Fixture products get a picture each, drawn from the product, uploaded once."""

from typing import Any
from xml.etree import ElementTree

from services.catalog.images import ImageStore
from services.catalog.models import ProductFields
from services.catalog.seeding import SVG_TYPE, fixture_product_id, load_images, product_svg
from services.catalog.settings import CatalogSettings


def test_a_picture_is_valid_svg_with_the_name_escaped() -> None:
    product = ProductFields(sku="MUG-001", name="Mugs & <Cups>", price_cents=1)
    svg = product_svg(product)
    root = ElementTree.fromstring(svg)
    assert (root.get("width"), root.get("height")) == ("320", "240")
    assert "Mugs & <Cups>" in "".join(root.itertext())
    assert product_svg(product) == svg


def test_pictures_are_uploaded_once_and_a_replaced_one_is_kept(
    provisioned: dict[str, Any], catalog_settings: CatalogSettings
) -> None:
    s3, bucket = provisioned["s3"], catalog_settings.images_bucket
    products = [ProductFields(sku=f"CAP-00{n}", name=f"Cap {n}", price_cents=1) for n in (1, 2)]
    key = ImageStore.key(fixture_product_id("CAP-001"))
    s3.put_object(Bucket=bucket, Key=key, Body=b"replaced", ContentType="image/png")
    first = load_images(s3, bucket, products)
    assert (first.created, first.unchanged) == (1, 1)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"replaced"
    other = s3.head_object(Bucket=bucket, Key=ImageStore.key(fixture_product_id("CAP-002")))
    assert other["ContentType"] == SVG_TYPE
    second = load_images(s3, bucket, products)
    assert (second.created, second.unchanged) == (0, 2)
