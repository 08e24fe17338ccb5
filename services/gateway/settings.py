"""Gateway configuration: where each upstream lives and how long to wait for it."""

from pydantic import Field

from services.common.settings import StackSettings


class GatewaySettings(StackSettings):
    catalog_url: str = Field(
        default="http://127.0.0.1:8001",
        description="Base URL of the catalog service (http://catalog:8000 inside compose).",
    )
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    upstream_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest a client waits for an upstream's answer."
    )
    max_body_bytes: int = Field(default=1_048_576, gt=0)

    @property
    def upstreams(self) -> dict[str, str]:
        """Route prefix (``/api/<name>/``) to base URL."""
        return {"catalog": self.catalog_url.rstrip("/")}
