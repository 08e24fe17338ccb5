import json
from pathlib import Path
from typing import Any

import pytest

from services.catalog.seeding import FIXTURES_DIR as PRODUCTS_DIR
from services.catalog.seeding import read_products
from services.common.seeding import SeedRun
from services.orders.models import OrderStore
from services.orders.seeding import FIXTURES_DIR, load_inventory, plan, read_inventory, seed
from services.orders.settings import OrdersSettings


def test_every_fixture_product_has_stock() -> None:
    products = read_products(PRODUCTS_DIR / "products.json")
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


def test_stock_is_loaded_only_with_fixtures(stack_clients: dict[str, Any]) -> None:
    store = OrderStore(stack_clients["dynamodb"], OrdersSettings().orders_table)
    assert seed(SeedRun(stack_clients, fixtures="never")) == 0
    assert store.stock("MUG-001") is None
    assert seed(SeedRun(stack_clients, fixtures="always")) > 0
    assert store.stock("MUG-001") is not None
    assert seed(SeedRun(stack_clients, fixtures="always")) == 0, "the second run changes nothing"


def test_stock_loads_on_the_first_seed_only(stack_clients: dict[str, Any]) -> None:
    """Loaded once, then marked on the orders table: the next local seed reads no fixture."""
    assert plan(stack_clients).startswith("+ fixtures: load (")
    assert seed(SeedRun(stack_clients, fixtures="first-seed")) > 0
    assert plan(stack_clients).startswith("= fixtures: ")
    assert seed(SeedRun(stack_clients, fixtures="first-seed")) == 0
