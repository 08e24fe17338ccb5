"""The stock of the demo products: ``fixtures/inventory.json``, loaded by the seeder.

A stock level already there is left untouched: re-seeding never undoes sales.
"""

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from services.common.seeding import (
    LoadReport,
    SeedRun,
    fixtures_line,
    mark_fixtures_loaded,
    read_fixture,
)
from services.orders.models import OrderStore
from services.orders.settings import OrdersSettings

FIXTURES_DIR = Path(__file__).with_name("fixtures")
_inventory_file = TypeAdapter(dict[str, int])


def read_inventory(path: Path) -> dict[str, int]:
    """SKU to units in stock; validated (and never negative) before anything is written."""
    levels = read_fixture(path, _inventory_file)
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


def seed(run: SeedRun) -> int:
    """The seeder's entry point (services/common/seeding.py): once per stack unless asked."""
    table = OrdersSettings().orders_table
    if not run.fixtures_due(table, "stock"):
        return 0
    levels = read_inventory(FIXTURES_DIR / "inventory.json")
    changed = load_inventory(OrderStore(run.clients["dynamodb"], table), levels).log("stock")
    mark_fixtures_loaded(run.clients["dynamodb"], table)
    return changed


def plan(clients: dict[str, Any]) -> str:
    """``seed plan``'s line for the demo stock levels."""
    table = OrdersSettings().orders_table
    levels = read_inventory(FIXTURES_DIR / "inventory.json")
    store = OrderStore(clients["dynamodb"], table)
    return fixtures_line(
        clients["dynamodb"],
        table,
        "stock levels",
        lambda: sum(store.stock(sku) is None for sku in levels),
        len(levels),
    )
