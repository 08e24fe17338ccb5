"""How a service loads its own data into a freshly provisioned stack.

The seeder knows no service's tables or formats: after creating every declared
resource it calls each registered service's ``seeding.seed(run)`` (when the
service has a ``seeding.py``). The service reads its own fixture files, writes
through its own store, and returns how many things it changed, so running the
seeder again reports "nothing to do".
"""

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import TypeAdapter

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger("seed")
T = TypeVar("T")
FixturePolicy = Literal["always", "first-seed", "never"]
"""``--with-fixtures`` loads what is missing; a local stack loads them on its first seed only."""
LOADED_TAG = "motostack:fixtures-loaded"
"""Tag on a service's table once its demo data was loaded: later seeds leave it alone, so a
record the user deleted stays deleted."""


@dataclass(frozen=True)
class SeedRun:
    """What the seeder hands each service."""

    clients: Mapping[str, Any]
    """One boto3 client per AWS service (``dynamodb``, ``s3``, ...), already targeted."""
    fixtures: FixturePolicy
    """Load demo data: always (asked for), on a local stack's first seed, or never."""
    demo_api_key: str | None = None
    progress: Callable[[str, int, int], None] = lambda what, done, total: None

    def fixtures_due(self, table: str, what: str) -> bool:
        """Whether to load the fixtures of ``what``, marked as loaded on its own ``table``:
        each service keeps its own mark, so the seeder needs to know none of them."""
        if self.fixtures == "never":
            return False
        if self.fixtures == "first-seed" and fixtures_loaded(self.clients["dynamodb"], table):
            logger.info("%s: loaded before, left as they are (--with-fixtures loads again)", what)
            return False
        return True


def _table_arn(dynamodb: "DynamoDBClient", table: str) -> str:
    return str(dynamodb.describe_table(TableName=table)["Table"]["TableArn"])


def fixtures_loaded(dynamodb: "DynamoDBClient", table: str) -> bool:
    tags = dynamodb.list_tags_of_resource(ResourceArn=_table_arn(dynamodb, table)).get("Tags", [])
    return any(tag["Key"] == LOADED_TAG for tag in tags)


def mark_fixtures_loaded(dynamodb: "DynamoDBClient", table: str) -> None:
    dynamodb.tag_resource(
        ResourceArn=_table_arn(dynamodb, table), Tags=[{"Key": LOADED_TAG, "Value": "true"}]
    )


def fixtures_line(
    dynamodb: "DynamoDBClient", table: str, what: str, missing: Callable[[], int], total: int
) -> str:
    """``seed plan``'s line for one service's fixtures: ``+`` not loaded yet, ``~`` loaded
    but some since deleted, ``=`` all there."""
    try:
        loaded = fixtures_loaded(dynamodb, table)
    except dynamodb.exceptions.ResourceNotFoundException:
        return f"+ fixtures: load the {total} {what}"
    gone = missing()
    if not loaded:
        return f"+ fixtures: load ({gone} of {total} {what} missing)"
    if gone:
        return f"~ fixtures: {gone} of {total} {what} missing (seed --with-fixtures reloads)"
    return f"= fixtures: {total} {what}"


@dataclass
class LoadReport:
    created: int = 0
    unchanged: int = 0

    def log(self, what: str) -> int:
        """Say what happened; the number of changes, for the seeder's total."""
        logger.info("%s: %d created, %d already there", what, self.created, self.unchanged)
        return self.created


def read_fixture(path: Path, shape: TypeAdapter[T]) -> T:
    """Parse and validate a whole fixture file first: a bad one fails before anything is
    written (pydantic's error names the entry and field)."""
    return shape.validate_python(json.loads(path.read_text()))
