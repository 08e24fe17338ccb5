"""``make remove-example``: the shop goes, the platform stays, green and empty.

The shop's services are the registry entries marked ``example = true``; they
go the way ``make remove-service`` takes any service. What else belongs to the
shop (its e2e suite, its event contract, its guide) is listed here, once.
"""

import re
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


ENV_SECTION = "# ---- The example shop"
"""The section of .env.example with the shop's settings; it runs to the next ``# ----``."""
GATEWAY_DEMO_SETTING = re.compile(r"^ +DEMO_(FLOW_ORDERS|GRID_FRESH_SECONDS): ")
"""The demo pages' settings in the gateway's compose environment."""


def without_env_section(text: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith(ENV_SECTION)), None)
    if start is None:
        return text
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("# ----")), len(lines)
    )
    return "".join(lines[:start] + lines[end:])


def remove_example(root: Path, registry: Registry) -> Change:
    """Every example service (latest first, so nothing is left starting after a removed
    one), then the shop's other files."""
    change = Change()
    for service in reversed([s for s in registry.services if s.example]):
        change = remove_service(root, registry, service.name, change)
        registry = Registry(services=tuple(s for s in registry.services if s != service))
    change.delete += [Path(p) for p in EXAMPLE_PATHS if (root / p).exists()]
    compose = Path("compose.yaml")
    text = change.write.get(compose) or (root / compose).read_text()
    kept = [line for line in text.splitlines(keepends=True) if not GATEWAY_DEMO_SETTING.match(line)]
    change.write[compose] = "".join(kept)
    env = Path(".env.example")
    change.write[env] = without_env_section((root / env).read_text())
    return change
