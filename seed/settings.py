"""Seeder configuration; the resource names come from the services' own settings."""

from pydantic import Field

from services.common.settings import StackSettings


class SeedSettings(StackSettings):
    seed_fixtures: bool = Field(default=True, description="Load the demo data after provisioning.")
    seed_wait_seconds: float = Field(
        default=60, gt=0, description="How long to wait for the AWS endpoint to answer."
    )
    demo_api_key: str | None = Field(
        default=None,
        min_length=16,
        description="Added to the gateway's API keys so writes work on a fresh stack.",
    )
