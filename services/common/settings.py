"""Settings every service shares, read from the environment by pydantic-settings.

Where AWS calls go is deliberately *not* a setting here: botocore reads the
standard ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` variables itself,
so unsetting them is all it takes to target real AWS.
"""

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StackSettings(BaseSettings):
    """The part of the configuration that names things and shapes logs."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    stack_name: str = Field(
        default="motostack",
        pattern=r"^[a-z][a-z0-9-]{1,30}$",
        description="Prefix of every resource name, so two stacks never collide.",
    )
    stage: str = Field(
        default="local",
        pattern=r"^[a-z][a-z0-9-]{0,15}$",
        description="Second part of every resource name (local, dev, prod, ...).",
    )
    aws_region: str = Field(default="us-east-1", description="Region of every AWS client.")
    stack_target: Literal["local", "aws"] = Field(
        default="local",
        description="local: an endpoint variable must cover every AWS call; aws: real AWS.",
    )
    allow_real_aws: bool = Field(
        default=False, description="Must be true as well for STACK_TARGET=aws."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    def resource_name(self, owner: str, thing: str) -> str:
        """Name of a resource owned by one service, e.g. ``motostack-local-catalog-products``."""
        return f"{self.stack_name}-{self.stage}-{owner}-{thing}"
