"""Every resource of the stack, gathered from the services' own declarations.

Which services there are comes from the registry (services/registry.toml); what
each owns from its ``resources.py``, whose ``declared_resources()`` is the one
entry point the seeder, the IAM policies and the CloudFormation template use.
"""

import importlib
from collections.abc import Callable
from types import ModuleType

from services.common.resources import Resource
from services.registry import Service, registry

AWS_SERVICES = ("dynamodb", "s3", "sns", "sqs", "secretsmanager", "ses")
"""The AWS services the stack's resources live in (one client each)."""


def service_module(service: Service, part: str) -> ModuleType | None:
    """``services.<package>.<part>``, or None when the service has no such module."""
    try:
        return importlib.import_module(f"{service.module}.{part}")
    except ModuleNotFoundError as error:
        if error.name != f"{service.module}.{part}":
            raise  # the module exists but imports something missing: a real error
        return None


def resources_by_service() -> dict[str, list[Resource]]:
    """Each service's resources, in creation order: a topic before its subscriptions, a
    dead-letter queue before its queue; services in registry order, so a topic is there
    before another service subscribes to it. A service is the only one that uses what it
    owns."""
    owned: dict[str, list[Resource]] = {}
    for service in registry().services:
        module = service_module(service, "resources")
        declared: Callable[[], list[Resource]] | None = getattr(module, "declared_resources", None)
        if declared is None:
            raise ValueError(
                f"services/{service.package}/resources.py must define declared_resources() "
                f"(the registry lists {service.name!r})"
            )
        owned[service.name] = declared()
    return owned


def stack_resources() -> list[Resource]:
    """Each resource once, though several services may declare one they share (the internal
    token's secret)."""
    unique = {
        (type(resource), resource.name): resource
        for owned in resources_by_service().values()
        for resource in owned
    }
    return list(unique.values())
