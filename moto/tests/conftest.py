from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from durable_harness import DurableServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DurableServer]:
    durable = DurableServer(tmp_path / "data")
    durable.start()
    yield durable
    durable.kill()


@pytest.fixture
def new_server(tmp_path: Path) -> Iterator[Callable[..., DurableServer]]:
    """Servers a test configures itself, ``new_server(name, **env)``: all killed at its end.

    Killed even when the test fails, so no server outlives its test.
    """
    made: list[DurableServer] = []

    def make(name: str, **env: str) -> DurableServer:
        made.append(DurableServer(tmp_path / name, **env))
        return made[-1]

    yield make
    for durable in made:
        durable.kill()
