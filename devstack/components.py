"""The stack as local processes: what runs, in which order, with which environment.

The same services, seeder and Moto as in compose, wired through the same
variables; only addresses differ (127.0.0.1 and chosen ports instead of
compose service names).
"""

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.registry import registry

REPO_ROOT = Path(__file__).resolve().parent.parent

DEMO_API_KEY = "motostack-local-demo-key"
"""Accepted for writes by a local stack (the seeder stores it); never use it anywhere real."""

# Variables that could point a local stack at a real account if inherited.
_FOREIGN_AWS = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE")


def _registry_ports() -> dict[str, int]:
    return {service.name: service.port for service in registry().services}


@dataclass(frozen=True)
class Ports:
    """Moto's port and each registered service's (defaults: services/registry.toml)."""

    moto: int = 4566
    services: Mapping[str, int] = field(default_factory=_registry_ports)

    @property
    def gateway(self) -> int:
        return self.services["gateway"]

    def named(self) -> dict[str, int]:
        """Every component's port by name, Moto first."""
        return {"moto": self.moto, **self.services}

    @classmethod
    def from_named(cls, ports: Mapping[str, int]) -> "Ports":
        """The inverse of :meth:`named`; a registered service left out keeps its default."""
        return cls(
            moto=ports["moto"],
            services={name: ports.get(name, port) for name, port in _registry_ports().items()},
        )


@dataclass(frozen=True)
class Component:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    health_url: str | None = None
    """Polled until it answers 200; None for a one-shot command that must exit 0."""

    @property
    def one_shot(self) -> bool:
        return self.health_url is None


def stack_environment(ports: Ports, data_dir: Path) -> dict[str, str]:
    """The environment every local process gets: the standard AWS variables, fake keys."""
    env = {name: value for name, value in os.environ.items() if name not in _FOREIGN_AWS}
    env = {name: value for name, value in env.items() if not name.startswith("AWS_ENDPOINT_URL")}
    endpoint = f"http://127.0.0.1:{ports.moto}"
    env.pop("ALLOW_REAL_AWS", None)
    env |= {
        "STACK_TARGET": "local",
        "AWS_ENDPOINT_URL": endpoint,
        "PUBLIC_AWS_ENDPOINT_URL": os.environ.get("PUBLIC_AWS_ENDPOINT_URL", endpoint),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
        "MOTO_DATA_DIR": str(data_dir / "moto"),
        **{
            f"{service.env_prefix}_URL": f"http://127.0.0.1:{ports.services[service.name]}"
            for service in registry().services
        },
        "DEMO_API_KEY": os.environ.get("DEMO_API_KEY", DEMO_API_KEY),
        "PYTHONUNBUFFERED": "1",
    }
    return env


def _durable_moto(port: int) -> list[str]:
    return [
        sys.executable, "-m", "durable_moto", "serve", "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip


H11_MAX_REQUEST_HEAD = 1024 * 1024
"""Request line and headers uvicorn buffers (h11's default is 16 KiB): the gateway refuses
URLs over 64 KiB itself, with a 414 problem, so the server must let them reach it. Compose
and the image pass the same value."""


def _uvicorn(module: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", f"{module}:app",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        "--h11-max-incomplete-event-size", str(H11_MAX_REQUEST_HEAD),
    ]  # fmt: skip


def local_components(ports: Ports) -> list[Component]:
    """In start order (the registry's): each waits for the ones before it."""
    return [
        Component(
            "moto",
            _durable_moto(ports.moto),
            health_url=f"http://127.0.0.1:{ports.moto}/moto-api/",
        ),
        Component("seed", [sys.executable, "-m", "seed"]),
        *(
            Component(
                service.name,
                _uvicorn(service.module + ".main", ports.services[service.name]),
                health_url=f"http://127.0.0.1:{ports.services[service.name]}/readyz",
            )
            for service in registry().services
        ),
    ]
