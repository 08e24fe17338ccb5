"""The demo API key: added to the gateway's key secret so a fresh stack accepts writes."""

import json
import logging
from typing import TYPE_CHECKING, Literal

from services.common.seeding import SeedRun
from services.gateway.api_keys import parse_keys
from services.gateway.settings import GatewaySettings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

logger = logging.getLogger("seed")


def ensure_api_key(
    secretsmanager: "SecretsManagerClient", secret: str, key: str
) -> Literal["created", "exists"]:
    """Add ``key`` unless it is there; keys someone else added are kept."""
    keys = parse_keys(secretsmanager.get_secret_value(SecretId=secret)["SecretString"])
    if key in keys:
        return "exists"
    secretsmanager.put_secret_value(
        SecretId=secret, SecretString=json.dumps({"keys": [*keys, key]})
    )
    return "created"


def seed(run: SeedRun) -> int:
    """The seeder's entry point: the demo key whenever one is configured, fixtures or not,
    but never into a real AWS account."""
    if not run.demo_api_key:
        return 0
    settings = GatewaySettings()
    if settings.stack_target == "aws":
        logger.warning("DEMO_API_KEY ignored: a demo key never goes to a real AWS account")
        return 0
    outcome = ensure_api_key(
        run.clients["secretsmanager"], settings.api_keys_secret, run.demo_api_key
    )
    logger.info("demo API key: %s", outcome)
    return int(outcome == "created")
