"""compose.yaml, compose.override.yaml and .env.example against the registry."""

import copy
from typing import Any

import pytest

from scaffold.checks import (
    REPO_ROOT,
    all_problems,
    compose_problems,
    env_example_problems,
    override_problems,
    read_yaml,
    uvicorn_command,
)
from services.registry import Registry, Service, registry


def test_this_checkout_agrees_with_its_registry() -> None:
    problems = all_problems(REPO_ROOT, registry())
    assert problems == [], "\n".join(problems)


@pytest.fixture
def compose() -> dict[str, Any]:
    return copy.deepcopy(read_yaml(REPO_ROOT / "compose.yaml"))


def test_a_service_missing_from_compose_is_named(compose: dict[str, Any]) -> None:
    name = registry().names[0]
    del compose["services"][name]
    (problem,) = compose_problems(registry(), compose)
    assert problem.startswith(f"compose.yaml has no service {name!r}")
    assert "add it under `services:`" in problem


def test_a_service_registry_does_not_know_is_named(compose: dict[str, Any]) -> None:
    compose["services"]["stray"] = {"image": "x"}
    (problem,) = compose_problems(registry(), compose)
    assert "runs 'stray', which services/registry.toml does not declare" in problem


def test_a_wrong_command_and_missing_seed_dependency_are_named(compose: dict[str, Any]) -> None:
    service = registry().services[0]  # the first has nothing to start after
    entry = compose["services"][service.name]
    entry["command"] = ["uvicorn", "elsewhere:app"]
    entry["depends_on"] = {"moto": {"condition": "service_healthy"}}
    problems = compose_problems(registry(), compose)
    assert f"compose.yaml, service {service.name!r}: command should be" in problems[0]
    assert "seed: {condition: service_completed_successfully}" in problems[1]


def test_the_gateway_must_reach_every_upstream_by_its_compose_name(
    compose: dict[str, Any],
) -> None:
    upstream = Service(name="first", port=8001, routes={"first": ""})
    with_upstream = Registry(services=(upstream, registry().get("gateway")))
    seeded = {"seed": {"condition": "service_completed_successfully"}}
    gateway = compose["services"]["gateway"] | {"depends_on": seeded}
    compose["services"] = {
        "moto": {},
        "seed": {},
        "first": gateway | {"command": uvicorn_command(upstream)},
        "gateway": gateway,
    }
    assert compose_problems(with_upstream, compose) == []
    del compose["services"]["gateway"]["environment"]["UPSTREAM_URL_TEMPLATE"]
    (problem,) = compose_problems(with_upstream, compose)
    assert "reaches 'first' at http://127.0.0.1:8001, not http://first:8000" in problem
    assert "UPSTREAM_URL_TEMPLATE: http://{name}:8000" in problem


def test_a_service_without_watch_is_named() -> None:
    override = copy.deepcopy(read_yaml(REPO_ROOT / "compose.override.yaml"))
    del override["services"]["gateway"]
    assert override_problems(registry(), override) == [
        "compose.override.yaml: add `gateway: {<<: *watch}` under `services:` so `make watch` "
        "reloads it"
    ]


def test_env_example_ports_must_match_the_registry() -> None:
    text = (REPO_ROOT / ".env.example").read_text()
    gateway = registry().get("gateway")
    wrong = text.replace(f"GATEWAY_PORT={gateway.port}", "GATEWAY_PORT=9999")
    assert env_example_problems(registry(), wrong + "\n# NOBODY_PORT=8009\n") == [
        f".env.example: GATEWAY_PORT=9999, but services/registry.toml says {gateway.port}; "
        f"write GATEWAY_PORT={gateway.port}",
        ".env.example: NOBODY_PORT names no service in services/registry.toml; remove the line",
    ]
