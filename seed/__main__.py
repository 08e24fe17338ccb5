"""The one-shot seeder: ``python -m seed``.

Waits for the AWS endpoint, creates every resource the services declare, loads
the fixtures and the demo API key, and exits 0. Running it again changes
nothing and says so.
"""

import logging
import sys

from pydantic import ValidationError

from seed.api_keys import ensure_api_key
from seed.fixtures import load_inventory, load_products, read_inventory, read_products
from seed.provision import ensure
from seed.settings import SeedSettings
from seed.stack import AWS_SERVICES, stack_resources
from seed.wait import EndpointUnavailable, wait_for_endpoint
from services.catalog.models import ProductStore
from services.catalog.settings import CatalogSettings
from services.common.aws import aws_client
from services.gateway.settings import GatewaySettings
from services.orders.models import OrderStore
from services.orders.settings import OrdersSettings

logger = logging.getLogger("seed")


def _progress(done: int, total: int) -> None:
    step = max(total // 10, 1)
    if done == total or done % step == 0:
        logger.info("products: %d/%d", done, total)


def run(settings: SeedSettings) -> int:
    clients = {name: aws_client(name, settings) for name in AWS_SERVICES}
    wait_for_endpoint(clients["dynamodb"], settings.seed_wait_seconds)

    changed = 0
    for resource in stack_resources():
        outcome = ensure(resource, clients, settings.aws_region)
        changed += outcome == "created"
        logger.info("%s %s: %s", type(resource).__name__.lower(), resource.name, outcome)

    if settings.demo_api_key:
        outcome = ensure_api_key(
            clients["secretsmanager"], GatewaySettings().api_keys_secret, settings.demo_api_key
        )
        changed += outcome == "created"
        logger.info("demo API key: %s", outcome)

    if settings.seed_fixtures:
        products = read_products(settings.seed_fixtures_dir / "products.json")
        levels = read_inventory(settings.seed_fixtures_dir / "inventory.json")
        catalog = ProductStore(clients["dynamodb"], CatalogSettings().products_table)
        report = load_products(catalog, products, _progress)
        changed += report.created
        logger.info("products: %d created, %d already there", report.created, report.unchanged)
        orders = OrderStore(clients["dynamodb"], OrdersSettings().orders_table)
        stock = load_inventory(orders, levels)
        changed += stock.created
        logger.info("stock: %d SKUs stocked, %d already there", stock.created, stock.unchanged)

    logger.info("done: %s", f"{changed} changes" if changed else "nothing to do, all in place")
    return 0


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="seed: %(message)s", stream=sys.stdout)
    try:
        return run(SeedSettings())
    except EndpointUnavailable as error:
        logger.error("%s", error)
        return 2
    except (ValidationError, ValueError) as error:
        logger.error("invalid configuration or fixtures:\n%s", error)
        return 3


if __name__ == "__main__":
    sys.exit(main())
