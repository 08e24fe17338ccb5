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
from typing import Any, TypeVar

from pydantic import TypeAdapter

logger = logging.getLogger("seed")
T = TypeVar("T")


@dataclass(frozen=True)
class SeedRun:
    """What the seeder hands each service."""

    clients: Mapping[str, Any]
    """One boto3 client per AWS service (``dynamodb``, ``s3``, ...), already targeted."""
    with_fixtures: bool
    """Load demo data (locally by default; on real AWS only when asked)."""
    demo_api_key: str | None = None
    progress: Callable[[str, int, int], None] = lambda what, done, total: None


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
