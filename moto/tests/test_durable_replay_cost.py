"""When to snapshot (the replay budget), and recovery that reports its progress.

Counted, never timed: records replayed after a crash, records found pending.
"""

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from durable_harness import DurableServer, create_table
from durable_moto.config import ConfigError, DurableConfig
from durable_moto.journal import JournalWriter, segment_name
from durable_moto.records import Record
from durable_moto.replay_cost import ReplayCost, ReplayProgress, pending_records
from durable_moto.startup import PROGRESS_HEADER, StartupGate


def wait_compaction_idle(server: DurableServer) -> None:
    deadline = time.monotonic() + 120
    while server.status()["compaction"]["running"]:
        assert time.monotonic() < deadline, "the snapshot never finished"
        time.sleep(0.05)


def write_then_crash(server: DurableServer, writes: int) -> dict[str, Any]:
    server.start()
    db = create_table(server)
    for n in range(writes):
        db.put_item(TableName="t", Item={"k": {"S": f"item-{n}"}})
        wait_compaction_idle(server)
    server.kill()
    server.start()
    assert server.client("dynamodb").scan(TableName="t")["Count"] == writes
    recovery: dict[str, Any] = server.status()["recovery"]
    return recovery


def test_a_restart_replays_no_more_than_the_replay_budget_allows(
    new_server: Callable[..., DurableServer],
) -> None:
    # Any measured cost exceeds a budget of a microsecond: every write is followed by a
    # snapshot, so a crash after the last one has finished leaves nothing to replay.
    tight = new_server(
        "tight",
        DURABLE_MOTO_REPLAY_BUDGET_SECONDS="0.000001",
        DURABLE_MOTO_SNAPSHOT_SPACING="0",  # the budget alone decides
        DURABLE_MOTO_COMPACT_RECORDS="1000000",
    )
    assert write_then_crash(tight, 8)["replayed_records"] == 0
    tight.kill()
    # The same history under an hour's budget replays every record: the budget decided.
    loose = new_server(
        "loose",
        DURABLE_MOTO_REPLAY_BUDGET_SECONDS="3600",
        DURABLE_MOTO_COMPACT_RECORDS="1000000",
    )
    assert write_then_crash(loose, 8)["replayed_records"] == 9


def test_the_journal_may_cost_what_the_last_snapshot_cost_to_write() -> None:
    cost = ReplayCost()
    assert cost.budget(2.0, spacing=1.0) == 2.0  # no snapshot yet in this run
    cost.snapshot_seconds = 5.0  # a large state: more than the budget to write
    assert cost.budget(2.0, spacing=1.0) == 5.0
    assert cost.budget(2.0, spacing=0.5) == 2.5
    assert cost.budget(2.0, spacing=0.0) == 2.0
    cost.snapshot_seconds = 0.1  # a small one: the budget decides
    assert cost.budget(2.0, spacing=1.0) == 2.0


def test_the_budget_and_spacing_are_settings_refused_in_one_line_when_out_of_range(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A spacing of 1e308 times a snapshot's cost made the budget infinite, and status
    not JSON; a non-number was a traceback that did not name the variable."""
    assert DurableConfig.from_env(data_dir=tmp_path).snapshot_spacing == 1.0
    monkeypatch.setenv("DURABLE_MOTO_SNAPSHOT_SPACING", "0.5")
    assert DurableConfig.from_env(data_dir=tmp_path).snapshot_spacing == 0.5
    monkeypatch.setenv("DURABLE_MOTO_SNAPSHOT_SPACING", " ")  # a blanked line: the default
    assert DurableConfig.from_env(data_dir=tmp_path).snapshot_spacing == 1.0
    for variable in ("DURABLE_MOTO_SNAPSHOT_SPACING", "DURABLE_MOTO_REPLAY_BUDGET_SECONDS"):
        for bad in ("-1", "inf", "nan", "1e308", "1000001", "abc", "0x10"):
            monkeypatch.setenv(variable, bad)
            with pytest.raises(ConfigError, match=f"^{variable} must be a number from 0 to"):
                DurableConfig.from_env(data_dir=tmp_path)
        monkeypatch.setenv(variable, "1000000")
        DurableConfig.from_env(data_dir=tmp_path)
    monkeypatch.setenv("DURABLE_MOTO_COMPACT_RECORDS", "1e4")
    with pytest.raises(ConfigError, match=r"^DURABLE_MOTO_COMPACT_RECORDS must be a whole number"):
        DurableConfig.from_env(data_dir=tmp_path)


def test_a_refused_setting_stops_the_server_with_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = os.environ | {"DURABLE_MOTO_SNAPSHOT_SPACING": "abc"}
    command = [sys.executable, "-m", "durable_moto", "serve", "--data-dir", str(tmp_path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "durable-moto serve: DURABLE_MOTO_SNAPSHOT_SPACING must be a number from 0 to 1e+06, "
        "not 'abc'"
    ]


def test_a_snapshot_that_cost_more_than_the_budget_spaces_out_the_next(
    new_server: Callable[..., DurableServer],
) -> None:
    """The history that snapshots after every write under a microsecond's budget
    (above) snapshots no more once a snapshot's cost, times the spacing, is the budget."""
    server = new_server(
        "spaced",
        DURABLE_MOTO_REPLAY_BUDGET_SECONDS="0.000001",
        DURABLE_MOTO_SNAPSHOT_SPACING="1000000",
        DURABLE_MOTO_COMPACT_RECORDS="1000000",
    )
    server.start()
    create_table(server)  # over the budget: the first snapshot, measured as it is written
    wait_compaction_idle(server)
    status = server.status()
    cpu = status["last_snapshot"]["cpu_seconds"]
    assert cpu > 0
    budget = status["journal"]["replay_budget_seconds"]
    assert budget == pytest.approx(cpu * 1e6, abs=1e3)  # cpu is shown rounded to 1 ms
    db = server.client("dynamodb")
    for n in range(8):
        db.put_item(TableName="t", Item={"k": {"S": f"item-{n}"}})
    after = server.status()
    assert after["last_snapshot"]["file"] == status["last_snapshot"]["file"]
    assert not after["compaction"]["running"]
    server.kill()
    server.start()
    recovery = server.status()["recovery"]
    assert recovery["replayed_records"] == 8  # every write since: no snapshot was due
    # After the restart, what the snapshot cost to load stands for its cost.
    assert server.status()["journal"]["replay_budget_seconds"] > 1


def test_the_record_count_stays_a_backstop(new_server: Callable[..., DurableServer]) -> None:
    server = new_server(
        "data",
        DURABLE_MOTO_REPLAY_BUDGET_SECONDS="3600",
        DURABLE_MOTO_COMPACT_RECORDS="4",
    )
    assert write_then_crash(server, 10)["replayed_records"] < 4


def journal(path: Path, records: int) -> None:
    writer = JournalWriter(path, "5.2.5", "no")
    for n in range(records):
        writer.append(Record({"REQUEST_METHOD": "POST", "PATH_INFO": f"/{n}"}, b"", n, 0.0))
    writer.close()


def test_pending_records_counts_the_journal_after_the_newest_snapshot(tmp_path: Path) -> None:
    journal(tmp_path / segment_name(0), 5)
    assert pending_records(tmp_path) == 5
    (tmp_path / "snapshot-00000001.dms").write_bytes(b"")
    journal(tmp_path / segment_name(1), 3)
    assert pending_records(tmp_path) == 3
    with (tmp_path / segment_name(1)).open("ab") as torn:
        torn.write(b"\x00\x00\x01")  # a torn last record is not replayed
    assert pending_records(tmp_path) == 3


def test_recovery_answers_with_its_progress_then_serves(caplog: pytest.LogCaptureFixture) -> None:
    cost = ReplayCost()
    progress = ReplayProgress(3, cost, log_every=0)
    gate = StartupGate(progress)
    replayed: list[Record] = []
    replay = progress.wrap(replayed.append)
    answers: list[tuple[str, dict[str, str]]] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answers.append((status, dict(headers)))

    with caplog.at_level(logging.INFO, logger="durable_moto"):
        replay(Record({}, b"", 1, 0.0))
        body = json.loads(b"".join(gate({}, start_response)))
        replay(Record({}, b"", 2, 0.0))
        gate({}, start_response)
    assert [status for status, _ in answers] == ["503 Service Unavailable"] * 2
    assert [headers[PROGRESS_HEADER] for _, headers in answers] == ["1", "2"]
    assert answers[0][1]["Content-Type"] == "application/problem+json"
    assert body["progress"]["replayed_records"] == 1
    assert body["progress"]["total_records"] == 3
    assert "replaying the journal: 2 of 3 records" in caplog.text
    assert cost.seconds > 0

    def ready(environ: dict[str, Any], respond: Any) -> list[bytes]:
        respond("200 OK", [])
        return [b"ready"]

    gate.open(ready)
    assert b"".join(gate({}, start_response)) == b"ready"
    assert progress.report()["state"] == "ready"


class FreezeMissed(Exception):
    """A snapshot child ended before it could be stopped (a busy machine): try again."""


def process_state(pid: int) -> str:
    """The state letter of /proc/<pid>/stat ("T" stopped, "Z" ended), "" once reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return ""


class FrozenSnapshots:
    """Stops (SIGSTOP) every snapshot child a server forks, as soon as it appears, until
    released: a snapshot that takes as long as the test wants, on any machine.

    Stopping is a race the watcher can lose: on a busy machine a small snapshot is
    written, and its child reaped, before the watcher is scheduled. ``wait_for`` tells
    that apart (``FreezeMissed``) from a snapshot that never started."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self.stopped: list[int] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _children(self) -> set[int]:
        found: set[int] = set()
        try:
            tasks = list(Path(f"/proc/{self._pid}/task").iterdir())
        except FileNotFoundError:  # the server was killed: it forks no more
            return found
        for task in tasks:
            with contextlib.suppress(OSError):  # a thread that ended meanwhile
                found |= {int(pid) for pid in (task / "children").read_text().split()}
        return found

    def _watch(self) -> None:
        # Ahead of every ordinary process, the snapshot child among them, where allowed.
        with contextlib.suppress(PermissionError):
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
        while not self._done.is_set():
            for child in self._children() - set(self.stopped):
                with contextlib.suppress(ProcessLookupError):  # reaped: wait_for tells
                    os.kill(child, signal.SIGSTOP)
                self.stopped.append(child)
            time.sleep(0.0005)

    def wait_for(self, count: int, server: DurableServer) -> None:
        """Until ``count`` snapshot children are stopped; ``FreezeMissed`` if one ended
        first, seen as a child that is not stopped, or as a snapshot that finished."""
        deadline = time.monotonic() + 60
        while len(self.stopped) < count:
            if not server.status()["compaction"]["running"]:
                raise FreezeMissed(f"snapshot {count} finished before it was seen")
            assert time.monotonic() < deadline, "the snapshot child never appeared"
            time.sleep(0.01)
        child = self.stopped[count - 1]
        while (state := process_state(child)) not in {"T", "Z", ""}:
            assert time.monotonic() < deadline, f"the snapshot child stays in state {state}"
            time.sleep(0.001)
        if state != "T":
            raise FreezeMissed(f"snapshot {count} ended before it was stopped")

    def release(self, child: int) -> None:
        os.kill(child, signal.SIGCONT)

    def __enter__(self) -> "FrozenSnapshots":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        """Ends the children too: stopped at once, they may not yet have asked to die
        with the server, nor closed its listening socket."""
        self._done.set()
        self._thread.join()
        for child in self.stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def in_background(write: Callable[[], object]) -> threading.Thread:
    """A write whose client may be left waiting (errors are expected once killed)."""

    def run() -> None:
        with contextlib.suppress(Exception):
            write()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_writes_wait_for_a_snapshot_once_the_journal_is_over_budget(
    new_server: Callable[..., DurableServer],
) -> None:
    """While a snapshot is being written, the journal after it may not grow past the
    budget: the next write waits for it, then starts the next snapshot before it runs.
    Every write exceeds a budget of a microsecond, so a crash replays at most the record
    after the newest finished snapshot and the one after the running one, however slow
    the snapshots are (here: stopped until the test lets them go). A snapshot that ended
    before it could be stopped proves nothing: the test starts over on a new server."""
    for attempt in range(5):
        server = new_server(
            f"data-{attempt}",
            DURABLE_MOTO_REPLAY_BUDGET_SECONDS="0.000001",
            DURABLE_MOTO_SNAPSHOT_SPACING="0",  # the budget alone decides
            DURABLE_MOTO_COMPACT_RECORDS="1000000",
        )
        try:
            writes_wait_then_crash(server)
            break
        except FreezeMissed:
            server.kill()
    else:
        pytest.fail("five times, a snapshot ended before it could be stopped")
    server.start()
    keys = {item["k"]["S"] for item in server.client("dynamodb").scan(TableName="t")["Items"]}
    assert {"c", "d"} <= keys
    assert server.status()["recovery"]["replayed_records"] == 2


def writes_wait_then_crash(server: DurableServer) -> None:
    """The scenario of the test above, up to the crash: "e" waits, unanswered."""
    server.start()
    assert server.process is not None
    db = server.client("dynamodb")

    def put(key: str) -> Callable[[], object]:
        return lambda: db.put_item(TableName="t", Item={"k": {"S": key}})

    with FrozenSnapshots(server.process.pid) as frozen:
        create_table(server)  # over budget: the first snapshot starts, and stops
        frozen.wait_for(1, server)
        put("c")()  # the first record after that snapshot: no wait
        waiting = in_background(put("d"))  # over budget while it is written: waits
        waiting.join(timeout=1)
        assert waiting.is_alive()
        frozen.release(frozen.stopped[0])
        waiting.join(timeout=60)
        assert not waiting.is_alive()
        frozen.wait_for(2, server)  # "d" started the next snapshot, which stops in turn
        in_background(put("e"))  # over budget again: it waits, unanswered
        time.sleep(1)
        server.kill()
