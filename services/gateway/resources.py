"""What the gateway owns: the secret holding the API keys that may write."""

from services.common.internal import internal_token_secret
from services.common.resources import Resource, Secret
from services.gateway.settings import GatewaySettings


def declared_resources() -> list[Resource]:
    """What the seeder creates for this service (services/registry.toml)."""
    return gateway_resources(GatewaySettings())


def gateway_resources(settings: GatewaySettings) -> list[Resource]:
    return [
        Secret(
            name=settings.api_keys_secret,
            description='API keys accepted for writes through the gateway: {"keys": [...]}',
            initial_value='{"keys": []}',
        ),
        internal_token_secret(settings),
    ]
