"""Where compose.yaml, compose.override.yaml and .env.example disagree with the registry.

Compose stays a plain file people read and edit; these checks (run by the unit
tests, so ``make test``) name each difference and say what to change, instead
of generating the file and fighting everyone else's edits to it.
"""

import re
from pathlib import Path
from typing import Any

import yaml

from devstack.components import H11_MAX_REQUEST_HEAD
from services.gateway.settings import upstream_url
from services.registry import COMPOSE_PORT, GATEWAY, Registry, Service

REPO_ROOT = Path(__file__).resolve().parent.parent
PLATFORM_COMPOSE_SERVICES = ("moto", "seed")
"""In compose, not in the registry: the AWS endpoint and the one-shot seeder."""


def uvicorn_command(service: Service) -> list[str]:
    """What compose runs for ``service``; it binds all interfaces of its own container."""
    host = "0.0.0.0"  # noqa: S104
    return [
        "uvicorn", service.app, "--host", host, "--port", str(COMPOSE_PORT), "--no-access-log",
        "--h11-max-incomplete-event-size", str(H11_MAX_REQUEST_HEAD),
    ]  # fmt: skip


def _environment(entry: dict[str, Any]) -> dict[str, str]:
    env = entry.get("environment") or {}
    if isinstance(env, list):  # the KEY=VALUE form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def compose_problems(registry: Registry, compose: dict[str, Any]) -> list[str]:
    """Each way compose.yaml (already parsed, anchors merged) contradicts the registry."""
    problems = []
    declared = compose.get("services") or {}
    expected = [*PLATFORM_COMPOSE_SERVICES, *registry.names]
    for name in expected:
        if name not in declared:
            problems.append(
                f"compose.yaml has no service {name!r}, which services/registry.toml "
                f"declares: add it under `services:` ({_hint(name)})"
            )
    for name in declared:
        if name not in expected:
            problems.append(
                f"compose.yaml runs {name!r}, which services/registry.toml does not declare: "
                "add it to the registry or remove it from compose.yaml"
            )
    for service in registry.services:
        entry = declared.get(service.name)
        if entry is None:
            continue
        where = f"compose.yaml, service {service.name!r}"
        if entry.get("command") != uvicorn_command(service):
            problems.append(f"{where}: command should be {uvicorn_command(service)}")
        if "healthcheck" not in entry:
            problems.append(f"{where}: needs the /readyz healthcheck (`<<: *http-service`)")
        depends = entry.get("depends_on") or {}
        for other in depends:
            if other not in expected:
                problems.append(
                    f"{where}: depends_on names {other!r}, which is not a service; remove it"
                )
        for before in service.after:
            if (depends.get(before) or {}).get("condition") != "service_healthy":
                problems.append(
                    f"{where}: the registry starts it after {before!r}; add "
                    f"`{before}: {{condition: service_healthy}}` to its depends_on"
                )
        seeded = (depends.get("seed") or {}).get("condition") == "service_completed_successfully"
        if not seeded and not set(depends) & {s for s in registry.names if s != service.name}:
            problems.append(
                f"{where}: add `seed: {{condition: service_completed_successfully}}` to its "
                "depends_on (its resources exist only after the seeder ran)"
            )
    gateway = declared.get(GATEWAY)
    if gateway is not None:
        env = _environment(gateway)
        for service in registry.upstreams():
            wanted = f"http://{service.name}:{COMPOSE_PORT}"
            got = upstream_url(service, env)
            if got != wanted:
                problems.append(
                    f"compose.yaml, service 'gateway': reaches {service.name!r} at {got}, not "
                    f"{wanted}: set UPSTREAM_URL_TEMPLATE: http://{{name}}:{COMPOSE_PORT} or "
                    f"{service.env_prefix}_URL: {wanted} in its environment"
                )
        port = registry.get(GATEWAY).port
        published = [str(p) for p in gateway.get("ports") or []]
        if not any(f":-{port}}}:{COMPOSE_PORT}" in p for p in published):
            problems.append(
                f"compose.yaml, service 'gateway': publish it as "
                f'"127.0.0.1:${{GATEWAY_PORT:-{port}}}:{COMPOSE_PORT}" (the registry\'s port)'
            )
    return problems


def override_problems(registry: Registry, override: dict[str, Any]) -> list[str]:
    """compose.override.yaml: every service's code is synced by `make watch`."""
    declared = override.get("services") or {}
    problems = [
        f"compose.override.yaml: add `{s.name}: {{<<: *watch}}` under `services:` so "
        "`make watch` reloads it"
        for s in registry.services
        if "develop" not in (declared.get(s.name) or {})
    ]
    problems += [
        f"compose.override.yaml: {name!r} is not in services/registry.toml; remove it"
        for name in declared
        if name not in registry.names
    ]
    return problems


_PORT_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)_PORT=(\d+)\s*$", re.MULTILINE)


def env_example_problems(registry: Registry, text: str) -> list[str]:
    """.env.example: every ``<NAME>_PORT`` it shows is a registered service's, with its port."""
    ports = {s.env_prefix: s.port for s in registry.services} | {"MOTO": 4566}
    problems = []
    for prefix, value in _PORT_LINE.findall(text):
        if prefix not in ports:
            problems.append(
                f".env.example: {prefix}_PORT names no service in services/registry.toml; "
                "remove the line"
            )
        elif int(value) != ports[prefix]:
            problems.append(
                f".env.example: {prefix}_PORT={value}, but services/registry.toml says "
                f"{ports[prefix]}; write {prefix}_PORT={ports[prefix]}"
            )
    for needed in ("MOTO", registry.get(GATEWAY).env_prefix):
        if needed not in dict(_PORT_LINE.findall(text)):
            problems.append(f".env.example: document {needed}_PORT={ports[needed]}")
    return problems


def _hint(name: str) -> str:
    if name in PLATFORM_COMPOSE_SERVICES:
        return "it is part of the platform"
    return "`make new-service` writes one; copy another service's entry otherwise"


def read_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    return data


def all_problems(root: Path, registry: Registry) -> list[str]:
    """Every disagreement between the registry and this checkout's files."""
    return [
        *compose_problems(registry, read_yaml(root / "compose.yaml")),
        *override_problems(registry, read_yaml(root / "compose.override.yaml")),
        *env_example_problems(registry, (root / ".env.example").read_text()),
    ]
