"""The one list of the stack's services: ``services/registry.toml``, read and checked here.

Everything that needs to know which services exist asks this module: the
seeder (what each owns, its fixtures), ``make dev`` (ports, start order), the
gateway (routes, upstreams), and the tests that hold compose.yaml and
.env.example to it. A service is declared once; a registry that contradicts
itself (two services on one port, a route claimed twice, an unknown
dependency) is refused when read, with the entry named.
"""

import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

REGISTRY_FILE = Path(__file__).with_name("registry.toml")
NAME_PATTERN = r"^[a-z][a-z0-9-]{1,30}$"
"""Also the shape of a resource name's owner part and of a compose service name."""

GATEWAY = "gateway"
COMPOSE_PORT = 8000
"""Every service listens on this port inside its container."""


class Service(BaseModel):
    """One entry of the registry; see the comment at the top of registry.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    port: int = Field(ge=1024, le=65535)
    routes: dict[str, str] = Field(default_factory=dict)
    after: tuple[str, ...] = ()
    gateway_needs: bool = True
    example: bool = False

    @property
    def package(self) -> str:
        """``services.<package>``: a name's ``-`` cannot be part of a Python module name."""
        return self.name.replace("-", "_")

    @property
    def module(self) -> str:
        return f"services.{self.package}"

    @property
    def app(self) -> str:
        """What uvicorn runs."""
        return f"{self.module}.main:app"

    @property
    def env_prefix(self) -> str:
        """``my-notes`` → ``MY_NOTES``, as in ``MY_NOTES_PORT`` and ``MY_NOTES_URL``."""
        return self.package.upper()


class Route(BaseModel):
    """``/api/<name>/<rest>`` goes to ``<service's URL><prefix>/<rest>``."""

    model_config = ConfigDict(frozen=True)

    service: str
    prefix: str = ""


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    services: tuple[Service, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [s.name for s in self.services]
        if len(set(names)) != len(names):
            raise ValueError(f"a service is declared twice: {_duplicates(names)}")
        ports = [s.port for s in self.services]
        if len(set(ports)) != len(ports):
            raise ValueError(f"two services share port {_duplicates(ports)}")
        if names[-1:] != [GATEWAY]:
            raise ValueError(f"the last service must be {GATEWAY!r} (it starts after the rest)")
        routes = [route for s in self.services for route in s.routes]
        if len(set(routes)) != len(routes):
            raise ValueError(f"a route is claimed twice: {_duplicates(routes)}")
        for service in self.services:
            for route, prefix in service.routes.items():
                if not re.fullmatch(NAME_PATTERN, route):
                    raise ValueError(f"{service.name}: route {route!r} is not a valid name")
                if prefix and not prefix.startswith("/"):
                    raise ValueError(f"{service.name}: prefix {prefix!r} must start with /")
            earlier = names[: names.index(service.name)]
            unknown = [name for name in service.after if name not in earlier]
            if unknown:
                raise ValueError(
                    f"{service.name}: `after` names {', '.join(unknown)}, which is not a "
                    "service declared before it"
                )
        return self

    def get(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [service.name for service in self.services]

    def routes(self) -> dict[str, Route]:
        """Every gateway route, in registry order."""
        return {
            route: Route(service=service.name, prefix=prefix)
            for service in self.services
            for route, prefix in service.routes.items()
        }

    def upstreams(self) -> list[Service]:
        """The services the gateway forwards to."""
        return [service for service in self.services if service.routes]


def _duplicates(values: list[str] | list[int]) -> str:
    return ", ".join(str(value) for value, count in Counter(values).items() if count > 1)


def load(path: Path = REGISTRY_FILE) -> Registry:
    """The registry in ``path``; ``ValueError`` (pydantic's, naming the entry) if it is wrong."""
    return Registry.model_validate(tomllib.loads(path.read_text()))


@cache
def registry() -> Registry:
    """This checkout's registry, read once per process."""
    return load()
