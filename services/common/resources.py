"""Declarations of the AWS resources a service owns.

Each service says *what* it needs (``services/<name>/resources.py``); the seeder
decides *how* to make it exist. One definition, so the code that uses a table
and the code that creates it cannot drift apart.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Index:
    """A global secondary index with all attributes projected."""

    name: str
    partition_key: str
    sort_key: str | None = None


@dataclass(frozen=True)
class Table:
    """An on-demand DynamoDB table; every key attribute is a string."""

    name: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    """Items whose epoch-seconds value here has passed are deleted by DynamoDB."""

    def key_attributes(self) -> list[str]:
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names += [index.partition_key, index.sort_key]
        return list(dict.fromkeys(name for name in names if name))


@dataclass(frozen=True)
class Bucket:
    """An S3 bucket; ``cors_origins`` lets browsers PUT/GET through presigned URLs."""

    name: str
    cors_origins: tuple[str, ...] = field(default=("*",))


@dataclass(frozen=True)
class Topic:
    """An SNS topic."""

    name: str


@dataclass(frozen=True)
class Queue:
    """An SQS queue; with ``dead_letter_queue`` set, a message received
    ``max_receive_count`` times without being deleted moves there."""

    name: str
    visibility_timeout_seconds: int = 30
    dead_letter_queue: str | None = None
    max_receive_count: int = 3
    retention_seconds: int = 4 * 24 * 3600


@dataclass(frozen=True)
class Subscription:
    """A queue subscribed to a topic, with raw delivery and a filter on message attributes."""

    topic: str
    queue: str
    filter_policy: dict[str, list[str]] = field(default_factory=dict, hash=False)
    raw_message_delivery: bool = True

    @property
    def name(self) -> str:
        return f"{self.topic} -> {self.queue}"


@dataclass(frozen=True)
class Secret:
    """A Secrets Manager secret; created holding ``initial_value``, never overwritten."""

    name: str
    description: str
    initial_value: str


@dataclass(frozen=True)
class EmailIdentity:
    """An SES sender address (verified on creation: Moto verifies at once, AWS by email)."""

    address: str

    @property
    def name(self) -> str:
        return self.address


Resource = Table | Bucket | Topic | Queue | Subscription | Secret | EmailIdentity
