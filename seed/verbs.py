"""What ``python -m seed plan|apply|destroy`` does, against whichever target is configured."""

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seed import cloudformation
from seed.api_keys import ensure_api_key
from seed.fixtures import load_inventory, load_products, read_inventory, read_products
from seed.iam import policy
from seed.images import load_images
from seed.provision import ensure, inspect, remove
from seed.settings import SeedSettings
from seed.stack import resources_by_service, stack_resources
from services.catalog.models import ProductStore
from services.catalog.settings import CatalogSettings
from services.gateway.settings import GatewaySettings
from services.orders.models import OrderStore
from services.orders.settings import OrdersSettings

logger = logging.getLogger("seed")


def _label(resource: Any) -> str:
    return f"{type(resource).__name__.lower()} {resource.name}"


def plan(clients: dict[str, Any]) -> list[str]:
    """One line per resource: ``+`` to create, ``~`` to change (and what), ``=`` in place."""
    lines = []
    for resource in stack_resources():
        drift = inspect(resource, clients)
        if drift.missing:
            lines.append(f"+ {_label(resource)}: create")
        elif drift.changes:
            lines.append(f"~ {_label(resource)}: {'; '.join(drift.changes)}")
        else:
            lines.append(f"= {_label(resource)}: in place")
    return lines


def apply(
    clients: dict[str, Any],
    settings: SeedSettings,
    *,
    with_fixtures: bool,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Create and fix every resource, then the demo key and fixtures; returns the changes."""
    changed = 0
    for resource in stack_resources():
        outcome = ensure(resource, clients, settings.aws_region)
        changed += outcome != "exists"
        logger.info("%s: %s", _label(resource), outcome)
    if settings.demo_api_key and settings.stack_target == "aws":
        logger.warning("DEMO_API_KEY ignored: a demo key never goes to a real AWS account")
    elif settings.demo_api_key:
        outcome = ensure_api_key(
            clients["secretsmanager"], GatewaySettings().api_keys_secret, settings.demo_api_key
        )
        changed += outcome != "exists"
        logger.info("demo API key: %s", outcome)
    if with_fixtures:
        products = read_products(settings.seed_fixtures_dir / "products.json")
        levels = read_inventory(settings.seed_fixtures_dir / "inventory.json")
        catalog = ProductStore(clients["dynamodb"], CatalogSettings().products_table)
        report = load_products(catalog, products, progress)
        logger.info("products: %d created, %d already there", report.created, report.unchanged)
        images = load_images(clients["s3"], CatalogSettings().images_bucket, products)
        logger.info("images: %d uploaded, %d already there", images.created, images.unchanged)
        orders = OrderStore(clients["dynamodb"], OrdersSettings().orders_table)
        stock = load_inventory(orders, levels)
        logger.info("stock: %d SKUs stocked, %d already there", stock.created, stock.unchanged)
        changed += report.created + images.created + stock.created
    return changed


def destroy(clients: dict[str, Any]) -> int:
    """Remove every resource of the stack, newest first; returns how many were there."""
    removed = 0
    for resource in reversed(stack_resources()):
        if remove(resource, clients):
            removed += 1
            logger.info("%s: deleted", _label(resource))
    return removed


def export(out: Path, stack_prefix: str) -> list[Path]:
    """Write ``iam/<service>.json`` and ``cloudformation.json`` under ``out``."""
    by_service = resources_by_service()
    written = []
    (out / "iam").mkdir(parents=True, exist_ok=True)
    for service, owned in by_service.items():
        path = out / "iam" / f"{service}.json"
        path.write_text(json.dumps(policy(owned), indent=2) + "\n")
        written.append(path)
    path = out / "cloudformation.json"
    path.write_text(cloudformation.render(cloudformation.template(by_service, stack_prefix)))
    return [*written, path]
