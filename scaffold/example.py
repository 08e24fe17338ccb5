"""``make remove-example``: the shop goes, the platform stays, green and empty.

The shop's services are the registry entries marked ``example = true``; they
go the way ``make remove-service`` takes any service. What else belongs to the
shop (its e2e suite, its event contract, its guides, benchmark and screenshots, and
the README's sections between ``<!-- example:start -->`` and ``<!-- example:end -->``)
is listed here, once.
"""

import re
from pathlib import Path

from scaffold.service import Change, Refused, remove_service
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
    "bench/shop_bench.py",
    "bench/results/shop.json",
    "docs/shop-benchmarks.md",
    "docs/shop-bench-*.png",
    "docs/screenshots",
)
"""The shop's files outside its services' own folders and tests (glob patterns); the
gateway's demo pages show the shop, so they go with it (the gateway then sends ``/`` to
its API docs), and so do the screenshots of those pages."""


ENV_SECTION = "# ---- The example shop"
"""The section of .env.example with the shop's settings; it runs to the next ``# ----``."""
README_SECTION = re.compile(
    r"^<!-- example:start -->\n.*?^<!-- example:end -->\n", re.MULTILINE | re.DOTALL
)
"""A part of README.md that only describes the shop."""
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


def without_readme_sections(text: str) -> str:
    """The README without its shop-only sections; an unclosed marker is refused rather
    than guessed at, so no more and no less than the marked text goes."""
    kept = README_SECTION.sub("", text)
    if "<!-- example:start -->" in kept or "<!-- example:end -->" in kept:
        raise Refused("README.md: an <!-- example:start --> without its end, or the reverse")
    return kept


def remove_example(root: Path, registry: Registry) -> Change:
    """Every example service (latest first, so nothing is left starting after a removed
    one), then the shop's other files."""
    change = Change()
    for service in reversed([s for s in registry.services if s.example]):
        change = remove_service(root, registry, service.name, change)
        registry = Registry(services=tuple(s for s in registry.services if s != service))
    change.delete += sorted(
        path.relative_to(root) for pattern in EXAMPLE_PATHS for path in root.glob(pattern)
    )
    compose = Path("compose.yaml")
    text = change.write.get(compose) or (root / compose).read_text()
    kept = [line for line in text.splitlines(keepends=True) if not GATEWAY_DEMO_SETTING.match(line)]
    change.write[compose] = "".join(kept)
    env = Path(".env.example")
    change.write[env] = without_env_section((root / env).read_text())
    readme = Path("README.md")
    change.write[readme] = without_readme_sections((root / readme).read_text())
    return change
