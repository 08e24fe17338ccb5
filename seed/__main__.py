"""The one-shot seeder: ``python -m seed``.

Waits for the AWS endpoint, creates every resource the services declare, loads
the fixtures, and exits 0. Running it again changes nothing and says so.
"""

import logging
import sys

from pydantic import ValidationError

from seed.fixtures import load_products, read_products
from seed.provision import ensure
from seed.settings import SeedSettings
from seed.wait import EndpointUnavailable, wait_for_endpoint
from services.catalog.models import ProductStore
from services.catalog.resources import catalog_resources
from services.catalog.settings import CatalogSettings
from services.common.aws import aws_client

logger = logging.getLogger("seed")


def _progress(done: int, total: int) -> None:
    step = max(total // 10, 1)
    if done == total or done % step == 0:
        logger.info("products: %d/%d", done, total)


def run(settings: SeedSettings) -> int:
    clients = {name: aws_client(name, settings) for name in ("dynamodb", "s3")}
    wait_for_endpoint(clients["dynamodb"], settings.seed_wait_seconds)

    catalog = CatalogSettings()
    changed = 0
    for resource in catalog_resources(catalog):
        outcome = ensure(resource, clients, settings.aws_region)
        changed += outcome == "created"
        logger.info("%s %s: %s", type(resource).__name__.lower(), resource.name, outcome)

    if settings.seed_fixtures:
        products = read_products(settings.seed_fixtures_dir / "products.json")
        store = ProductStore(clients["dynamodb"], catalog.products_table)
        report = load_products(store, products, _progress)
        changed += report.created
        logger.info("products: %d created, %d already there", report.created, report.unchanged)

    logger.info("done: %s", f"{changed} changes" if changed else "nothing to do, all in place")
    return 0


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="seed: %(message)s", stream=sys.stdout)
    try:
        return run(SeedSettings())
    except EndpointUnavailable as error:
        logger.error("%s", error)
        return 2
    except ValidationError as error:
        logger.error("invalid configuration or fixtures:\n%s", error)
        return 3


if __name__ == "__main__":
    sys.exit(main())
