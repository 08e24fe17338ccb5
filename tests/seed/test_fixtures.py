import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from seed.fixtures import (
    fixture_product_id,
    load_inventory,
    load_products,
    read_inventory,
    read_products,
)
from seed.settings import FIXTURES_DIR
from services.catalog.models import ProductStore
from services.catalog.settings import CatalogSettings
from services.orders.models import OrderStore
from services.orders.settings import OrdersSettings


@pytest.fixture
def store(provisioned: dict[str, Any], catalog_settings: CatalogSettings) -> ProductStore:
    return ProductStore(provisioned["dynamodb"], catalog_settings.products_table)


def test_shipped_fixtures_are_valid_and_plenty() -> None:
    products = read_products(FIXTURES_DIR / "products.json")
    assert len(products) >= 50
    assert len({product.sku for product in products}) == len(products)


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


def test_every_fixture_product_has_stock() -> None:
    products = read_products(FIXTURES_DIR / "products.json")
    levels = read_inventory(FIXTURES_DIR / "inventory.json")
    assert set(levels) == {product.sku for product in products}


def test_negative_stock_is_refused_before_loading(tmp_path: Path) -> None:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"MUG-001": 3, "MUG-002": -1}))
    with pytest.raises(ValueError, match="negative stock for MUG-002"):
        read_inventory(path)


def test_reseeding_never_undoes_sales(stack_clients: dict[str, Any]) -> None:
    store = OrderStore(stack_clients["dynamodb"], OrdersSettings().orders_table)
    first = load_inventory(store, {"MUG-001": 5, "MUG-002": 7})
    store.set_stock("MUG-001", 2)  # three sold
    second = load_inventory(store, {"MUG-001": 5, "MUG-002": 7})
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    stock = store.stock("MUG-001")
    assert stock is not None
    assert stock.available == 2
