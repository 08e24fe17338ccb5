from collections.abc import Iterator
from pathlib import Path

import pytest

from durable_harness import DurableServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DurableServer]:
    durable = DurableServer(tmp_path / "data")
    durable.start()
    yield durable
    durable.kill()
