"""What a restart would cost: when to snapshot, and how far a running replay has got.

A snapshot is due when replaying the journal written since the last one would
take longer than ``replay_budget_seconds``, estimated from what the journaled
requests measurably cost to execute (a replay executes each of them again,
through the same Moto app). A record count alone cannot say that: a record
costs 0.1 ms for some services and 20 ms for others, and more as tables grow.

The cost is the executing thread's CPU time, not the time that passed: a replay
runs alone, while a request served under load also waits for the interpreter
lock other requests hold and for a core other processes use. Counting those
waits overstated a shop's replay several times over on a busy machine, and the
server snapshotted without pause, which made the machine busier still.
"""

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from durable_moto.frames import scan_frames
from durable_moto.journal import MAGIC
from durable_moto.records import Record

logger = logging.getLogger("durable_moto")

Replayer = Callable[[Record], None]


class ReplayCost:
    """Seconds of execution journaled since the last snapshot: the replay it implies."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.snapshot_seconds = 0.0
        """CPU time the newest snapshot took to write, or to load at start (0: none yet)."""

    def add(self, seconds: float) -> None:
        self.seconds += seconds

    def budget(self, configured: float, spacing: float) -> float:
        """Replay seconds the journal may reach before the next snapshot is due.

        The configured budget, or ``spacing`` times what the newest snapshot cost to
        write, whichever is more. A snapshot writes the whole state, so its cost grows
        with the data while the configured budget stays put: at thousands of orders a
        snapshot cost more than the 2 s budget, and snapshots ran back to back, a core
        busy pickling and writes held back. With a spacing of 1, snapshots cost at most
        about the CPU the writes they cut cost, as Redis rewrites its append-only file
        once it has doubled. A restart then replays at most about what loading the
        snapshot costs it anyway. A spacing of 0 keeps the configured budget alone.
        """
        return max(configured, spacing * self.snapshot_seconds)

    def reset(self) -> None:
        """A new journal segment starts: a replay would begin here."""
        self.seconds = 0.0


def pending_records(data_dir: Path) -> int:
    """Records a recovery will replay: the journal from the newest snapshot on.

    Only an estimate for progress reports: recovery itself decides which
    snapshot is usable and what a damaged segment keeps.
    """
    numbers: dict[str, list[int]] = {"snapshot": [], "journal": []}
    for path in data_dir.glob("*-[0-9]*.*"):
        kind, _, rest = path.name.partition("-")
        if kind in numbers and rest[:8].isdigit():
            numbers[kind].append(int(rest[:8]))
    start = max(numbers["snapshot"], default=0)
    total = 0
    for number in numbers["journal"]:
        if number >= start:
            total += _count_records(data_dir / f"journal-{number:08d}.log")
    return total


def _count_records(path: Path) -> int:
    try:
        frames = len(scan_frames(path.read_bytes(), len(MAGIC)).frames)
    except OSError:
        return 0
    return max(frames - 1, 0)  # the first frame is the segment's header


class ReplayProgress:
    """Counts a recovery's replayed records and logs the rate, at most once a second."""

    def __init__(self, total: int, cost: ReplayCost, *, log_every: float = 1.0) -> None:
        self.total = total
        self.cost = cost
        self.replayed = 0
        self.started = time.monotonic()
        self.done = False
        self._log_every = log_every
        self._logged = self.started

    def wrap(self, replay: Replayer) -> Replayer:
        def replay_counted(record: Record) -> None:
            if self.done:  # a rebuild after a failed write: not a recovery, not a new cost
                replay(record)
                return
            started = time.thread_time()
            replay(record)
            self.cost.add(time.thread_time() - started)
            self.replayed += 1
            now = time.monotonic()
            if now - self._logged >= self._log_every:
                self._logged = now
                logger.info("%s", self.describe())

        return replay_counted

    def report(self) -> dict[str, Any]:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.replayed / elapsed
        left = max(self.total - self.replayed, 0)
        return {
            "state": "ready" if self.done else "recovering",
            "replayed_records": self.replayed,
            "total_records": max(self.total, self.replayed),
            "records_per_second": round(rate, 1),
            "seconds_left": round(left / rate, 1) if rate > 0 else None,
        }

    def describe(self) -> str:
        report = self.report()
        left = report["seconds_left"]
        return (
            f"replaying the journal: {report['replayed_records']} of "
            f"{report['total_records']} records, {report['records_per_second']}/s, "
            + (f"about {left} s left" if left is not None else "time left unknown")
        )
