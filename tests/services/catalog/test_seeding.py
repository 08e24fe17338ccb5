import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.catalog.models import ProductStore
from services.catalog.seeding import (
    FIXTURES_DIR,
    fixture_product_id,
    load_products,
    plan,
    read_products,
    seed,
)
from services.catalog.settings import CatalogSettings
from services.common.seeding import SeedRun


@pytest.fixture
def store(provisioned: dict[str, Any], catalog_settings: CatalogSettings) -> ProductStore:
    return ProductStore(provisioned["dynamodb"], catalog_settings.products_table)


def test_shipped_fixtures_are_valid_and_plenty() -> None:
    products = read_products(FIXTURES_DIR / "products.json")
    assert len(products) >= 50
    assert len({product.sku for product in products}) == len(products)


def test_shipped_descriptions_take_an_before_a_vowel() -> None:
    """The README's first curl shows these texts: "A ocean mug" is the first thing read."""
    products = read_products(FIXTURES_DIR / "products.json")
    wrong = [p.description for p in products if re.match(r"A [aeiou]", p.description or "")]
    assert wrong == []


def test_loading_twice_creates_once_with_stable_ids(store: ProductStore) -> None:
    products = read_products(FIXTURES_DIR / "products.json")
    seen: list[int] = []
    first = load_products(store, products, lambda done, total: seen.append(done))
    second = load_products(store, products)
    assert (first.created, first.unchanged) == (len(products), 0)
    assert (second.created, second.unchanged) == (0, len(products))
    assert seen[-1] == len(products)
    sku = products[0].sku
    assert store.get(fixture_product_id(sku)).sku == sku


def test_a_bad_fixture_fails_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text(json.dumps([{"sku": "OK-1", "name": "x", "price_cents": 1}, {"sku": "?"}]))
    with pytest.raises(ValidationError, match="sku"):
        read_products(path)


def test_fixtures_load_on_the_first_seed_only_and_plan_shows_what_is_missing(
    stack_clients: dict[str, Any],
) -> None:
    """A demo product the user deleted stays deleted on the next seed (a local stack seeds at
    every start); plan names what is missing, and --with-fixtures brings it back."""
    total = len(read_products(FIXTURES_DIR / "products.json"))
    assert plan(stack_clients) == f"+ fixtures: load ({total} of {total} demo products missing)"
    assert seed(SeedRun(stack_clients, fixtures="first-seed")) == 2 * total  # products, images
    assert plan(stack_clients) == f"= fixtures: {total} demo products"

    catalog = ProductStore(stack_clients["dynamodb"], CatalogSettings().products_table)
    catalog.delete(fixture_product_id("MUG-001"))
    assert seed(SeedRun(stack_clients, fixtures="first-seed")) == 0
    assert catalog.find_by_sku("MUG-001") is None, "a deleted demo product came back"
    assert plan(stack_clients).startswith(f"~ fixtures: 1 of {total} demo products missing")

    assert seed(SeedRun(stack_clients, fixtures="always")) == 1
    assert catalog.find_by_sku("MUG-001") is not None
    assert seed(SeedRun(stack_clients, fixtures="never")) == 0
