"""Every resource of the stack, gathered from the services' own declarations."""

from services.catalog.resources import catalog_resources
from services.catalog.settings import CatalogSettings
from services.common.resources import Resource
from services.fulfillment.resources import fulfillment_resources
from services.fulfillment.settings import FulfillmentSettings
from services.gateway.resources import gateway_resources
from services.gateway.settings import GatewaySettings
from services.orders.resources import orders_resources
from services.orders.settings import OrdersSettings

AWS_SERVICES = ("dynamodb", "s3", "sns", "sqs", "secretsmanager", "ses")
"""The AWS services the stack's resources live in (one client each)."""


def resources_by_service() -> dict[str, list[Resource]]:
    """Each service's resources, in creation order: a topic before its subscriptions, a
    dead-letter queue before its queue. A service is the only one that uses what it owns."""
    orders = OrdersSettings()
    return {
        "catalog": catalog_resources(CatalogSettings()),
        "orders": orders_resources(orders),
        "fulfillment": fulfillment_resources(FulfillmentSettings(), orders.events_topic),
        "gateway": gateway_resources(GatewaySettings()),
    }


def stack_resources() -> list[Resource]:
    """Each resource once, though several services may declare one they share (the internal
    token's secret)."""
    unique = {
        (type(resource), resource.name): resource
        for owned in resources_by_service().values()
        for resource in owned
    }
    return list(unique.values())
