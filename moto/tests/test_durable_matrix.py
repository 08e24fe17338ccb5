"""The persistence matrix: every scenario survives kill -9, a clean restart, and a
crash right after a background compaction (snapshot + journal tail)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from durable_harness import DurableServer
from scenarios import SCENARIOS, State

States = dict[str, list[State]]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DurableServer, States]]:
    # No snapshot from the replay budget (the harness sets it out of reach): the kill -9
    # case must be journal replay alone.
    server = DurableServer(Path(tmp_path_factory.mktemp("matrix")) / "data")
    server.start()
    states: States = {scenario.name: [scenario.create(server, "r1")] for scenario in SCENARIOS}
    yield server, states
    server.kill()


def verify_all(server: DurableServer, states: States) -> None:
    failures = []
    for scenario in SCENARIOS:
        for state in states[scenario.name]:
            try:
                scenario.verify(server, state)
            except Exception as error:  # collect every service's failure, not just the first
                failures.append(f"{scenario.name}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures)


def test_covers_at_least_25_services() -> None:
    assert len({scenario.name for scenario in SCENARIOS}) >= 25


def test_kill_9_replays_the_journal(matrix: tuple[DurableServer, States]) -> None:
    server, states = matrix
    assert server.status()["last_snapshot"] is None  # so recovery is journal replay alone
    server.kill()
    server.start()
    assert server.status()["recovery"]["replayed_records"] > 50
    verify_all(server, states)


def test_clean_restart_loads_the_snapshot(matrix: tuple[DurableServer, States]) -> None:
    server, states = matrix
    server.stop()
    server.start()
    assert server.status()["recovery"]["replayed_records"] == 0
    verify_all(server, states)


def test_crash_after_compaction_keeps_snapshot_and_tail(
    matrix: tuple[DurableServer, States],
) -> None:
    server, states = matrix
    for scenario in SCENARIOS:
        states[scenario.name].append(scenario.create(server, "r2"))
    server.compact()
    for scenario in SCENARIOS:
        states[scenario.name].append(scenario.create(server, "r3"))
    server.kill()
    server.start()
    recovery = server.status()["recovery"]
    assert recovery["snapshot"] is not None
    assert recovery["replayed_records"] > 0
    verify_all(server, states)
