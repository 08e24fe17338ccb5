"""What ``python -m seed plan|apply|destroy`` does, against whichever target is configured."""

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seed import cloudformation
from seed.iam import policy
from seed.internal_token import ensure_internal_token
from seed.provision import ensure, inspect, remove
from seed.settings import SeedSettings
from seed.stack import resources_by_service, service_module, stack_resources
from services.common.internal import internal_token_secret
from services.common.seeding import FixturePolicy, SeedRun
from services.registry import registry

logger = logging.getLogger("seed")


def _label(resource: Any) -> str:
    return f"{type(resource).__name__.lower()} {resource.name}"


def plan(clients: dict[str, Any], *, fixtures: bool = False) -> list[str]:
    """One line per resource: ``+`` to create, ``~`` to change (and what), ``=`` in place;
    with ``fixtures``, a line for each service's demo data (its ``seeding.plan``)."""
    lines = []
    for resource in stack_resources():
        drift = inspect(resource, clients)
        if drift.missing:
            lines.append(f"+ {_label(resource)}: create")
        elif drift.changes:
            lines.append(f"~ {_label(resource)}: {'; '.join(drift.changes)}")
        else:
            lines.append(f"= {_label(resource)}: in place")
    if fixtures:
        for service in registry().services:
            describe = getattr(service_module(service, "seeding"), "plan", None)
            if describe is not None:
                lines.append(describe(clients))
    return lines


def apply(
    clients: dict[str, Any],
    settings: SeedSettings,
    *,
    fixtures: FixturePolicy,
    progress: Callable[[str, int, int], None] = lambda what, done, total: None,
) -> int:
    """Create and fix every resource, then let each service load its own data (its
    ``seeding.seed``, in registry order); returns the changes."""
    changed = 0
    for resource in stack_resources():
        outcome = ensure(resource, clients, settings.aws_region)
        changed += outcome != "exists"
        logger.info("%s: %s", _label(resource), outcome)
    outcome = ensure_internal_token(clients["secretsmanager"], internal_token_secret(settings).name)
    changed += outcome != "exists"
    logger.info("internal token: %s", outcome)
    run = SeedRun(clients, fixtures, settings.demo_api_key, progress)
    for service in registry().services:
        seeding = service_module(service, "seeding")
        if seeding is not None:
            changed += seeding.seed(run)
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
