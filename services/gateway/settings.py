"""Gateway configuration: where each upstream lives and how long to wait for it."""

import os
from collections.abc import Mapping

from pydantic import Field

from services.common.settings import StackSettings
from services.registry import Route, Service, registry

__all__ = ["READINESS_NEEDS", "ROUTES", "GatewaySettings", "Route", "upstream_url"]

ROUTES: dict[str, Route] = registry().routes()
"""``/api/<name>/<rest>`` goes to ``<service's URL><prefix>/<rest>`` (services/registry.toml)."""

READINESS_NEEDS = tuple(s.name for s in registry().upstreams() if s.gateway_needs)
"""Upstreams the gateway is not ready without (``gateway_needs`` in the registry)."""


def upstream_url(service: Service, environ: Mapping[str, str]) -> str:
    """Where the gateway reaches ``service``: ``<NAME>_URL`` if set, else
    ``UPSTREAM_URL_TEMPLATE`` with ``{name}`` filled in (compose: ``http://{name}:8000``),
    else its ``make dev`` address from the registry. Read per service rather than as one
    field each, so a service added to the registry needs no gateway change."""
    template = environ.get("UPSTREAM_URL_TEMPLATE") or f"http://127.0.0.1:{service.port}"
    url = environ.get(f"{service.env_prefix}_URL") or template.replace("{name}", service.name)
    return url.rstrip("/")


def _upstreams_from_environment() -> dict[str, str]:
    return {service.name: upstream_url(service, os.environ) for service in registry().upstreams()}


class GatewaySettings(StackSettings):
    upstream_urls: dict[str, str] = Field(
        default_factory=_upstreams_from_environment,
        exclude=True,
        description="Service name to base URL; see upstream_url.",
    )
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    upstream_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest a client waits for an upstream's answer."
    )
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    api_keys_cache_seconds: float = Field(
        default=30, ge=0, description="How long keys read from Secrets Manager are trusted."
    )

    @property
    def upstreams(self) -> dict[str, str]:
        """Service name to base URL (built once, when the settings are read: the proxy asks
        on every request)."""
        return self.upstream_urls

    @property
    def api_keys_secret(self) -> str:
        return self.resource_name("gateway", "api-keys")
