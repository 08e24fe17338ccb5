"""The stock of the demo products: ``fixtures/inventory.json``, loaded by the seeder.

A stock level already there is left untouched: re-seeding never undoes sales.
"""

from pathlib import Path

from pydantic import TypeAdapter

from services.common.seeding import LoadReport, SeedRun, read_fixture
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
    """The seeder's entry point (services/common/seeding.py)."""
    if not run.with_fixtures:
        return 0
    levels = read_inventory(FIXTURES_DIR / "inventory.json")
    store = OrderStore(run.clients["dynamodb"], OrdersSettings().orders_table)
    return load_inventory(store, levels).log("stock")
