"""Catalog configuration: every variable is documented in ``.env.example``."""

from pydantic import Field

from services.common.settings import StackSettings


class CatalogSettings(StackSettings):
    public_aws_endpoint_url: str | None = Field(
        default=None,
        description=(
            "S3 endpoint as the *client* reaches it, used only to sign image URLs. Inside "
            "compose the service talks to http://moto:4566, a browser to http://localhost:4566."
        ),
    )
    presign_expiry_seconds: int = Field(default=900, ge=60, le=7 * 24 * 3600)

    @property
    def products_table(self) -> str:
        return self.resource_name("catalog", "products")

    @property
    def images_bucket(self) -> str:
        return self.resource_name("catalog", "images")
