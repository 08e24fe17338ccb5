"""What ``python -m seed plan|apply|destroy`` does, against whichever target is configured."""

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from seed import cloudformation
from seed.api_keys import ensure_api_key, ensure_internal_token
from seed.fixtures import (
    Missing,
    fixtures_loaded,
    load_inventory,
    load_products,
    mark_fixtures_loaded,
    missing_fixtures,
    read_inventory,
    read_products,
)
from seed.iam import policy
from seed.images import load_images
from seed.provision import ensure, inspect, remove
from seed.settings import SeedSettings
from seed.stack import resources_by_service, stack_resources
from services.catalog.models import ProductStore
from services.catalog.settings import CatalogSettings
from services.common.internal import internal_token_secret
from services.common.resources import Table
from services.gateway.settings import GatewaySettings
from services.orders.models import OrderStore
from services.orders.settings import OrdersSettings

logger = logging.getLogger("seed")


def _label(resource: Any) -> str:
    return f"{type(resource).__name__.lower()} {resource.name}"


FixturePolicy = Literal["always", "first-seed", "never"]
"""``--with-fixtures`` loads what is missing; a local stack loads them on its first seed only."""


def plan(
    clients: dict[str, Any], settings: SeedSettings | None = None, *, fixtures: bool = False
) -> list[str]:
    """One line per resource: ``+`` to create, ``~`` to change (and what), ``=`` in place;
    with ``fixtures``, one line for the demo data too."""
    lines = []
    for resource in stack_resources():
        drift = inspect(resource, clients)
        if drift.missing:
            lines.append(f"+ {_label(resource)}: create")
        elif drift.changes:
            lines.append(f"~ {_label(resource)}: {'; '.join(drift.changes)}")
        else:
            lines.append(f"= {_label(resource)}: in place")
    if fixtures and settings is not None:
        lines.append(_fixtures_line(clients, settings))
    return lines


def _fixtures_line(clients: dict[str, Any], settings: SeedSettings) -> str:
    table = CatalogSettings().products_table
    if inspect(Table(table, "pk"), clients).missing:
        return "+ fixtures: load the demo products and stock"
    missing = _missing(clients, settings)
    if not fixtures_loaded(clients["dynamodb"], table):
        return f"+ fixtures: load ({missing.describe()})"
    if missing.products or missing.stock:
        return f"~ fixtures: {missing.describe()} (seed --with-fixtures loads them again)"
    return f"= fixtures: {missing.of_products} demo products, {missing.of_stock} stock levels"


def _missing(clients: dict[str, Any], settings: SeedSettings) -> Missing:
    return missing_fixtures(
        ProductStore(clients["dynamodb"], CatalogSettings().products_table),
        OrderStore(clients["dynamodb"], OrdersSettings().orders_table),
        read_products(settings.seed_fixtures_dir / "products.json"),
        read_inventory(settings.seed_fixtures_dir / "inventory.json"),
    )


def apply(
    clients: dict[str, Any],
    settings: SeedSettings,
    *,
    fixtures: FixturePolicy,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Create and fix every resource, then the demo key and fixtures; returns the changes."""
    changed = 0
    for resource in stack_resources():
        outcome = ensure(resource, clients, settings.aws_region)
        changed += outcome != "exists"
        logger.info("%s: %s", _label(resource), outcome)
    outcome = ensure_internal_token(clients["secretsmanager"], internal_token_secret(settings).name)
    changed += outcome != "exists"
    logger.info("internal token: %s", outcome)
    if settings.demo_api_key and settings.stack_target == "aws":
        logger.warning("DEMO_API_KEY ignored: a demo key never goes to a real AWS account")
    elif settings.demo_api_key:
        outcome = ensure_api_key(
            clients["secretsmanager"], GatewaySettings().api_keys_secret, settings.demo_api_key
        )
        changed += outcome != "exists"
        logger.info("demo API key: %s", outcome)
    products_table = CatalogSettings().products_table
    if fixtures == "first-seed" and fixtures_loaded(clients["dynamodb"], products_table):
        logger.info("fixtures: loaded before, left as they are (--with-fixtures loads them again)")
    elif fixtures != "never":
        products = read_products(settings.seed_fixtures_dir / "products.json")
        levels = read_inventory(settings.seed_fixtures_dir / "inventory.json")
        catalog = ProductStore(clients["dynamodb"], products_table)
        report = load_products(catalog, products, progress)
        logger.info("products: %d created, %d already there", report.created, report.unchanged)
        images = load_images(clients["s3"], CatalogSettings().images_bucket, products)
        logger.info("images: %d uploaded, %d already there", images.created, images.unchanged)
        orders = OrderStore(clients["dynamodb"], OrdersSettings().orders_table)
        stock = load_inventory(orders, levels)
        logger.info("stock: %d SKUs stocked, %d already there", stock.created, stock.unchanged)
        changed += report.created + images.created + stock.created
        mark_fixtures_loaded(clients["dynamodb"], products_table)
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
