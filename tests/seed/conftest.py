"""The seeder's tests run on a stack of their own: one resource of every kind.

They test the seeder, not the example shop, so they declare what they need
here (as a service's ``resources.py`` would) and keep passing on a bare
platform after ``make remove-example``. The gateway's own resources stay in,
because the seeder always stores the demo API key in its secret.
"""

import pytest

from seed import stack, verbs
from services.common.resources import (
    Bucket,
    EmailIdentity,
    Index,
    Queue,
    Resource,
    Subscription,
    Table,
    Topic,
)
from services.common.settings import StackSettings
from services.gateway.resources import declared_resources as gateway_resources

OWNER = "things"
"""The made-up service that owns the test resources."""


def every_kind() -> dict[str, list[Resource]]:
    settings = StackSettings()

    def name(thing: str) -> str:
        return settings.resource_name(OWNER, thing)

    return {
        OWNER: [
            Table(
                name=name("table"),
                partition_key="pk",
                indexes=(Index("by-created", partition_key="entity", sort_key="created"),),
                ttl_attribute="expires_at",
            ),
            Bucket(name=name("bucket")),
            Topic(name=name("events")),
            Queue(name=name("queue-dlq")),
            Queue(name=name("queue"), dead_letter_queue=name("queue-dlq"), max_receive_count=3),
            Subscription(
                topic=name("events"), queue=name("queue"), filter_policy={"event_type": ["Done"]}
            ),
            EmailIdentity(address="things@motostack.example"),
        ],
        "gateway": gateway_resources(),
    }


@pytest.fixture(autouse=True)
def declared(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Resource]]:
    """The test stack in place of the registry's, for every seeder verb."""
    resources = every_kind()
    for module in (stack, verbs):
        monkeypatch.setattr(module, "resources_by_service", lambda: resources)
    flat = [resource for owned in resources.values() for resource in owned]
    monkeypatch.setattr(verbs, "stack_resources", lambda: flat)
    return resources
