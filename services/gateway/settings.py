"""Gateway configuration: where each upstream lives and how long to wait for it."""

from dataclasses import dataclass
from functools import cached_property

from pydantic import Field

from services.common.settings import StackSettings


@dataclass(frozen=True)
class Route:
    """``/api/<name>/<rest>`` goes to ``<service's URL><prefix>/<rest>``."""

    service: str
    prefix: str = ""


ROUTES = {
    "catalog": Route("catalog"),
    "orders": Route("orders", "/orders"),
    "inventory": Route("orders", "/inventory"),
    "fulfillment": Route("fulfillment"),
}


READINESS_NEEDS = ("catalog", "orders")
"""Upstreams the gateway is not ready without; the worker's HTTP side only shows dead letters."""


class GatewaySettings(StackSettings):
    catalog_url: str = Field(
        default="http://127.0.0.1:8001",
        description="Base URL of the catalog service (http://catalog:8000 inside compose).",
    )
    orders_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Base URL of the orders service (http://orders:8000 inside compose).",
    )
    fulfillment_url: str = Field(
        default="http://127.0.0.1:8003",
        description="Base URL of the fulfillment worker's HTTP side (probes, dead letters).",
    )
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    upstream_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest a client waits for an upstream's answer."
    )
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    api_keys_cache_seconds: float = Field(
        default=30, ge=0, description="How long keys read from Secrets Manager are trusted."
    )

    @cached_property
    def upstreams(self) -> dict[str, str]:
        """Service name to base URL (built once: the proxy asks on every request)."""
        urls = {
            "catalog": self.catalog_url,
            "orders": self.orders_url,
            "fulfillment": self.fulfillment_url,
        }
        return {name: url.rstrip("/") for name, url in urls.items()}

    @property
    def api_keys_secret(self) -> str:
        return self.resource_name("gateway", "api-keys")
