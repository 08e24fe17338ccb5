"""``make remove-example``: the shop goes, the platform stays, green and empty.

The shop's services are the registry entries marked ``example = true``; they
go the way ``make remove-service`` takes any service. What else belongs to the
shop (its e2e suite, its event contract, its guide) is listed here, once.
"""

from pathlib import Path

from scaffold.service import Change, remove_service
from services.registry import Registry

EXAMPLE_PATHS = (
    "e2e/shop",
    "services/gateway/demo",
    "tests/services/gateway/demo",
    "docs/demo.md",
    "services/contracts/orders.py",
    "services/contracts/schemas/OrderPlaced.v1.json",
    "tests/services/contracts/test_orders.py",
    "docs/shop.md",
)
"""The shop's files outside its services' own folders and tests; the gateway's demo pages
show the shop, so they go with it (the gateway then sends ``/`` to its API docs)."""


def remove_example(root: Path, registry: Registry) -> Change:
    """Every example service (latest first, so nothing is left starting after a removed
    one), then the shop's other files."""
    change = Change()
    for service in reversed([s for s in registry.services if s.example]):
        change = remove_service(root, registry, service.name, change)
        registry = Registry(services=tuple(s for s in registry.services if s != service))
    change.delete += [Path(p) for p in EXAMPLE_PATHS if (root / p).exists()]
    return change
