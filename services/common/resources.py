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


Resource = Table | Bucket
