"""The data directory: journal segments, snapshots, recovery and compaction.

Layout of ``data_dir``::

    journal-00000003.log    records since snapshot 3 (appended to now)
    snapshot-00000003.dms   state before segment 3
    snapshot-00000002.dms   the previous generation, kept with journal-00000002.log
    journal-00000002.log      so a damaged newest snapshot loses nothing
    quarantine/             damaged files moved aside, never deleted
    RECOVERY_NEEDED         written when a strict start refused; says why

All state changes happen under ``lock``: one state-changing request at a time,
executed, journaled and fsynced before the next, so journal order is execution
order and replay is exact.
"""

import contextlib
import ctypes
import fcntl
import gc
import logging
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from durable_moto import snapshot
from durable_moto.config import DurableConfig
from durable_moto.frames import Damage
from durable_moto.journal import (
    JournalError,
    JournalWriter,
    read_header,
    read_segment,
    segment_name,
)
from durable_moto.records import Record
from durable_moto.replay_cost import ReplayCost
from durable_moto.snapshot import SnapshotError, SnapshotInfo

logger = logging.getLogger("durable_moto")
_NUMBERED = re.compile(r"^(journal|snapshot)-(\d{8})\.(log|dms)$")

Replayer = Callable[[Record], None]
Resetter = Callable[[], None]


class RecoveryError(Exception):
    """The data directory needs a decision; the message says exactly which."""


@dataclass
class RecoveryReport:
    snapshot: str | None = None
    replayed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


STALL_LIMIT_SECONDS = 60.0
"""The longest a write waits for a snapshot (see ``hold_back_write``)."""

SNAPSHOT_RETRY_SECONDS = 30.0
"""After a snapshot failed (it could not start, or its child failed), the next one is due
this much later at the earliest: a full disk or a failing fork is not tried again at every
write, and one failure does not stop snapshots, and so bound replays, for good."""

_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Have the kernel SIGKILL this snapshot child when its server dies (Linux).

    An orphaned child went on pickling the whole state, seconds of CPU taken from
    the next server's recovery. The signal follows the forking thread, which is one
    of the server's request threads: they live as long as the server.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the re-parenting check still applies
        return
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _numbered(data_dir: Path, kind: str) -> dict[int, Path]:
    found = {}
    for path in data_dir.iterdir():
        match = _NUMBERED.match(path.name)
        if match and match.group(1) == kind:
            found[int(match.group(2))] = path
    return found


def _owner_only(path: Path) -> None:
    """A snapshot written before snapshots were made 0600 from birth took the umask
    (0644 as a rule), though it holds what the journal (0600) holds: secrets too."""
    with contextlib.suppress(OSError):  # a file not ours to change is still read
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


class DurableStore:
    def __init__(self, config: DurableConfig, moto_version: str) -> None:
        self.config = config
        self.moto_version = moto_version
        self.data_dir = config.data_dir
        self.lock = threading.RLock()
        self.segment = 0
        self.writer: JournalWriter | None = None
        self.last_snapshot: SnapshotInfo | None = None
        self.recovery = RecoveryReport()
        self.write_failure: str | None = None
        self.unavailable: str | None = None
        """Set when memory could not be rolled back to the disk: nothing is served."""
        self._replay: Replayer | None = None
        self._reset: Resetter | None = None
        self.compaction_error: str | None = None
        self.last_compaction_seconds: float | None = None
        self._retry_snapshot_at = 0.0
        self._compacting = threading.Event()
        self._compacted = threading.Condition()
        self.write_stalls = 0
        self.write_stalled_seconds = 0.0
        self._closed = False
        self._dir_lock: int | None = None
        self.close_in_child: list[int] = []
        """File descriptors a snapshot child closes first (the server's socket)."""
        self.replay_cost = ReplayCost()
        """Execution time journaled since the last snapshot; recovery adds its replay time."""

    # -- start-up --------------------------------------------------------------

    def open(self, replay: Replayer, reset: Resetter) -> RecoveryReport:
        """Recover the state; ``replay`` and ``reset`` also serve to roll a failed write back."""
        self._replay, self._reset = replay, reset
        started = time.monotonic()
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._lock_directory()
            with self.lock, snapshot.gc_paused():
                self._recover(replay)
                snapshot.out_of_gc_sight()
                self.writer = JournalWriter(
                    self.data_dir / segment_name(self.segment), self.moto_version, self.config.fsync
                )
                # The compaction threshold counts records since the snapshot, not since start.
                self.writer.records = self.recovery.replayed
        except OSError as error:  # a read-only or full disk: say so, not a traceback
            self.close()
            raise RecoveryError(
                f"durable-moto cannot start: {error}. The data directory must be writable and "
                "have free space. Nothing was cut from a file without a byte-identical copy in "
                "quarantine/ first; the log says what was done."
            ) from error
        self.recovery.seconds = round(time.monotonic() - started, 3)
        logger.info(
            "recovered: snapshot %s, %d journal records replayed in %.2f s",
            self.recovery.snapshot or "none",
            self.recovery.replayed,
            self.recovery.seconds,
        )
        if self.config.fsync == "everysec":
            threading.Thread(target=self._flush_every_second, daemon=True).start()
        return self.recovery

    def _lock_directory(self) -> None:
        """Two servers appending to one journal would corrupt it; refuse the second."""
        fd = os.open(self.data_dir / "LOCK", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RecoveryError(f"{self.data_dir} is in use by another durable-moto") from None
        self._dir_lock = fd

    def _recover(self, replay: Replayer) -> None:
        strict = self.config.recover == "strict"
        marker = self.data_dir / "RECOVERY_NEEDED"
        if marker.exists():
            if strict:
                raise RecoveryError(marker.read_text())
            marker.unlink()

        self._remove_stale_temporaries()
        snapshots = _numbered(self.data_dir, "snapshot")
        for path in snapshots.values():
            _owner_only(path)
        segments = _numbered(self.data_dir, "journal")
        base: int | None = None
        for number in sorted(snapshots, reverse=True):
            path = snapshots[number]
            cpu_started = time.thread_time()
            try:
                _, services = snapshot.decode_state(path.read_bytes(), self.moto_version)
                snapshot.install_state(services)
            except Exception as error:  # damaged files and failed unpickling alike
                moved = self._quarantine(path, str(error), move=True)
                problem = f"snapshot {path.name} is unusable ({error}); moved to {moved}"
                if strict:
                    self._refuse(marker, problem)
                self.recovery.notes.append(problem)
                logger.warning("%s; trying the previous one", problem)
                continue
            base = number
            # Until this run writes one, what the snapshot cost to load stands for its cost.
            self.replay_cost.snapshot_seconds = time.thread_time() - cpu_started
            self.recovery.snapshot = path.name
            self.last_snapshot = SnapshotInfo(
                path, number, path.stat().st_mtime, path.stat().st_size
            )
            break

        start = base if base is not None else 0
        usable = sorted(n for n in segments if n >= start)
        if base is None and segments and min(segments) > 0:
            problem = (
                f"no usable snapshot, and the journal starts at {segments[min(segments)].name}: "
                "the state before it is gone"
            )
            if strict:
                self._refuse(marker, problem)
            for number in segments:
                self._quarantine(segments[number], problem, move=True)
            self.recovery.notes.append(problem + "; started empty")
            usable = []
        self.segment = start
        for position, number in enumerate(usable):
            if number != start + position:
                problem = f"journal segment {segment_name(start + position)} is missing"
                if strict:
                    self._refuse(marker, problem)
                self._set_aside(segments, usable[position:], problem)
                break
            if position > 0 and self._made_on_a_lost_state(segments[number]):
                problem = (
                    f"{segments[number].name} holds writes made on an imported or reset state "
                    f"that only {snapshot.snapshot_name(number)} held, and it is unusable"
                )
                if strict:
                    self._refuse(marker, problem)
                self._set_aside(segments, usable[position:], "was made on that state")
                self.recovery.notes.append(problem)
                break
            last = position == len(usable) - 1
            following = segments.get(number + 1)
            closed_at = None if last or following is None else read_header(following).get("follows")
            if not self._replay_segment(
                segments[number], replay, marker, strict=strict, last=last, closed_at=closed_at
            ):
                self._set_aside(segments, usable[position + 1 :], "follows a damaged segment")
                self.segment = number
                break
            self.segment = number

    def _made_on_a_lost_state(self, path: Path) -> bool:
        """Whether ``path``'s records need its snapshot, which recovery went past.

        Such a segment without records is harmless: an import whose snapshot
        failed leaves one, and the writes after it went to the next segment.
        """
        if not read_header(path).get("needs_snapshot"):
            return False
        try:
            return bool(read_segment(path, self.moto_version).records)
        except JournalError:
            return True

    def _replay_segment(
        self,
        path: Path,
        replay: Replayer,
        marker: Path,
        *,
        strict: bool,
        last: bool,
        closed_at: int | None,
    ) -> bool:
        """Replay a segment's intact records; False when it had to be cut (last-good).

        A torn tail of the last segment is an unfinished write: it is cut, a copy
        kept. Damage anywhere else means acknowledged records may be behind
        it: strict mode refuses, last-good keeps the records before it.
        """
        try:
            contents = read_segment(path, self.moto_version)
        except JournalError as error:
            copy = self._quarantine(path, str(error), move=False)
            problem = f"journal {error}; a copy is in {copy}"
            if strict:
                self._refuse(marker, problem)
            self._quarantine(path, str(error), move=True)
            self.recovery.notes.append(f"{problem}; set it aside")
            return False
        damage = contents.damage
        if damage is not None and damage.torn and not last:
            damage = replace(
                damage, torn=False, reason=f"{damage.reason}, in a segment later ones follow"
            )
        if damage is None and closed_at is not None and contents.end != closed_at:
            damage = Damage(
                contents.end,
                path.stat().st_size - contents.end,
                False,
                f"it ends there, but it was closed at byte {closed_at} (the next segment's "
                "header says so): whole records are missing",
            )
        if damage is not None:
            where = f"{path.name} at byte {damage.offset} ({damage.size} bytes: {damage.reason})"
            copy = self._quarantine(path, where, move=False)
            if damage.torn:
                note = (
                    f"cut off an unfinished last write in {where}; nothing intact follows it. "
                    "A write not wholly on disk was never acknowledged under fsync always "
                    "(under everysec or no it is within their loss window). "
                    f"The file as it was is in {copy}"
                )
            else:
                problem = f"journal {where} is damaged; a byte-identical copy is in {copy}"
                if strict:
                    self._refuse(marker, problem)
                note = (
                    f"{problem}; replayed the {len(contents.records)} intact records before the "
                    "damage and cut the rest from the journal (the copy keeps them)"
                )
            logger.warning(note)
            self.recovery.notes.append(note)
            self._truncate(path, contents.end)
        for record in contents.records:
            replay(record)
        self.recovery.replayed += len(contents.records)
        return damage is None or damage.torn

    def _remove_stale_temporaries(self) -> None:
        """Temp files of snapshots that were never put in place: not state, just litter.

        A snapshot exists only once renamed into place, so a temp file is a
        write that was abandoned (a crash, a full disk, a killed server).
        """
        for path in self.data_dir.glob("snapshot-*.dms.*.tmp"):
            path.unlink(missing_ok=True)
            logger.info("removed %s, a snapshot that was never finished", path.name)

    def _set_aside(self, segments: dict[int, Path], numbers: list[int], why: str) -> None:
        for number in numbers:
            moved = self._quarantine(segments[number], why, move=True)
            self.recovery.notes.append(f"{segments[number].name} {why}; moved to {moved}")

    def _refuse(self, marker: Path, problem: str) -> None:
        message = (
            f"durable-moto refuses to start: {problem}.\n"
            "Nothing else was changed. To start from the last good state (the newest usable "
            "snapshot and the journal records before the damage), start once with "
            "--recover=last-good (DURABLE_MOTO_RECOVER=last-good). To keep the data for later "
            f"instead, move {self.data_dir} aside and start empty."
        )
        try:
            marker.write_text(message)
        except OSError as error:  # a full disk: an empty marker would refuse with no reason
            marker.unlink(missing_ok=True)
            message += f"\n(RECOVERY_NEEDED could not be written: {error})"
        raise RecoveryError(message)

    def _quarantine(self, path: Path, reason: str, *, move: bool) -> Path:
        folder = self.data_dir / "quarantine"
        folder.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = folder / f"{stamp}-{path.name}"
        for attempt in range(1, 1000):  # never overwrite an earlier copy
            if not target.exists():
                break
            target = folder / f"{stamp}-{attempt}-{path.name}"
        if move:
            shutil.move(path, target)
        else:  # by way of a temporary name: a copy cut short by a full disk is no copy
            partial = folder / f".{target.name}.partial"
            try:
                shutil.copy2(path, partial)
                os.replace(partial, target)
            except OSError:
                partial.unlink(missing_ok=True)
                raise
        target.with_suffix(target.suffix + ".why").write_text(reason + "\n")
        return target

    @staticmethod
    def _truncate(path: Path, size: int) -> None:
        with open(path, "r+b") as handle:
            handle.truncate(size)
            os.fsync(handle.fileno())

    # -- while serving ------------------------------------------------------------

    def append(self, record: Record) -> tuple[JournalWriter, int]:
        """Journal one executed request (caller holds ``lock``).

        OSError: not persisted, and the request's effects are already undone.
        Returns the segment and the offset to ``make_durable`` before answering.
        """
        writer = self.writer
        assert writer is not None
        try:
            end = writer.append(record)
        except OSError as error:
            self._fail(error)
            self._roll_back()
            raise
        if self._needs_compaction():
            self.compact(wait=False)
        return writer, end

    def hold_back_write(self) -> None:
        """Wait, before executing a write, while the journal since the newest snapshot
        already costs the replay budget and the snapshot that will cut it is still being
        written (call it without ``lock``).

        A snapshot of a large state takes seconds (100k items under steady writes: 4 to
        13 s), and the journal grew meanwhile as much again: a kill -9 then replayed it
        all, restarts of 7 to 13 s at 100k items. Holding writes back bounds a replay to
        about two budgets, as InnoDB stalls writes on a full redo log. Reads never wait,
        and no write waits longer than ``STALL_LIMIT_SECONDS``.

        The write that waited then starts the next snapshot itself, before it executes,
        if the journal is still over budget: appended to the segment it waited on, it
        would put one record more than the budget there. A crash then replays the
        records since the newest finished snapshot (at most a budget), and those after
        the running one up to the write that reaches the budget.
        """
        if not self._compacting.is_set():
            return
        if self.replay_cost.seconds < self._replay_budget():
            return
        started = time.monotonic()
        with self._compacted:  # also guards the counters: stalled writers end together
            self._compacted.wait_for(
                lambda: not self._compacting.is_set(), timeout=STALL_LIMIT_SECONDS
            )
            self.write_stalls += 1
            self.write_stalled_seconds += time.monotonic() - started
        with self.lock:
            if self._needs_compaction():
                self.compact(wait=False)

    def written_so_far(self) -> tuple[JournalWriter, int]:
        """Where the journal ends now (caller holds ``lock``): all a read may have seen."""
        assert self.writer is not None
        return self.writer, self.writer.size

    def make_durable(self, written: tuple[JournalWriter, int]) -> None:
        """fsync per the policy, *outside* ``lock`` (group commit).

        Records are written in execution order, and an fsync covers every byte
        written before it, so one fsync makes every earlier record durable too:
        the next request executes while this one waits for the disk, concurrent
        writers share one fsync, and nothing is answered before it is on disk.
        A failed fsync cuts the journal back to what is known to be on disk and
        undoes in memory every request after that point: all of them are
        answered 503, none was acknowledged.
        """
        if self.config.fsync != "always":
            return
        writer, end = written
        try:
            writer.sync_through(end)
        except OSError as error:
            with self.lock:
                if self.write_failure is None:
                    self._fail(error)
                if writer.discard_unsynced():
                    self._roll_back()
            raise

    def _fail(self, error: OSError) -> None:
        self.write_failure = (
            f"journal write failed at {time.strftime('%Y-%m-%d %H:%M:%S')}: {error}. "
            "That write and every write after it are refused (503) and leave no trace "
            "until the server restarts; every write acknowledged before it is on disk. "
            "Free space, then restart."
        )
        logger.error(self.write_failure)

    def _roll_back(self) -> None:
        """Make memory hold exactly what the disk holds (caller holds ``lock``).

        Moto has no undo, so a refused write is taken back the way a restart
        would: the newest snapshot, then the journal after it. It costs a
        restart's time, and happens only after a write the disk refused; until
        it is done no request is served (they wait for ``lock``).
        """
        assert self._replay is not None
        assert self._reset is not None
        started = time.monotonic()
        last = self.last_snapshot
        replayed = 0
        try:
            with snapshot.gc_paused():
                if last is None:
                    self._reset()
                else:
                    _, services = snapshot.decode_state(last.path.read_bytes(), self.moto_version)
                    snapshot.install_state(services)
                for number in range(last.segment if last else 0, self.segment + 1):
                    path = self.data_dir / segment_name(number)
                    for record in read_segment(path, self.moto_version).records:
                        self._replay(record)
                        replayed += 1
        except Exception as error:  # whatever it was, memory no longer matches the disk
            self.unavailable = (
                f"could not undo a write the disk refused ({type(error).__name__}: {error}); "
                "restart the server: it recovers exactly what was acknowledged"
            )
            logger.error(self.unavailable)
            return
        logger.warning(
            "undid the refused write: state rebuilt from %s and %d journal records in %.2f s",
            last.path.name if last else "an empty state",
            replayed,
            time.monotonic() - started,
        )

    def _needs_compaction(self) -> bool:
        assert self.writer is not None
        if self._compacting.is_set() or time.monotonic() < self._retry_snapshot_at:
            return False
        return (
            self.replay_cost.seconds >= self._replay_budget()
            or self.writer.records >= self.config.compact_after_records
            or self.writer.size >= self.config.compact_after_bytes
        )

    def _replay_budget(self) -> float:
        return self.replay_cost.budget(
            self.config.replay_budget_seconds, self.config.snapshot_spacing
        )

    def compact(self, *, wait: bool) -> str | None:
        """Rotate the journal and snapshot the state as of now in a forked child.

        The child has a copy-on-write image of memory frozen at the fork, so
        requests go on while it pickles. Returns the error, if any, when waiting.
        """
        with self.lock:
            if self._compacting.is_set():
                if not wait:
                    return None
            else:
                self._compacting.set()
                self.compaction_error = None
                started = time.monotonic()
                carried = self.replay_cost.seconds
                try:
                    segment = self._rotate()
                except OSError as error:
                    return self._not_started(error, wait=wait)
                try:
                    read_end, write_end = os.pipe()
                    pid = self._fork_snapshot(segment, read_end, write_end)
                except OSError as error:
                    self.replay_cost.add(carried)  # nothing was cut: see _finish_compaction
                    return self._not_started(error, wait=wait)
                threading.Thread(
                    target=self._await_child,
                    args=(pid, read_end, segment, started, carried),
                    daemon=True,
                ).start()
        if wait:
            with self._compacted:
                self._compacted.wait_for(lambda: not self._compacting.is_set(), timeout=600)
            return self.compaction_error
        return None

    def _not_started(self, error: OSError, *, wait: bool) -> str | None:
        """The write that asked for it is journaled already: a snapshot that cannot
        start costs nothing but a longer journal (caller holds ``lock``)."""
        self._compacting.clear()
        self.compaction_error = f"could not start a snapshot: {error}"
        self._retry_snapshot_at = time.monotonic() + SNAPSHOT_RETRY_SECONDS
        logger.error("%s; the journal keeps everything", self.compaction_error)
        return self.compaction_error if wait else None

    def _fork_snapshot(self, segment: int, read_end: int, write_end: int) -> int:
        """Fork the child that writes snapshot ``segment``; returns its pid."""
        parent = os.getpid()
        snapshot.reducers()  # loaded here, not in the child: see its docstring
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # pragma: no cover - runs in the child
            # Nothing may return from here: a child back in the server's code would
            # answer requests on the connections it inherited, from a state nothing
            # journals (seen when reporting to a killed parent raised EPIPE).
            status = 1
            try:
                os.close(read_end)
                status = self._child_dump(segment, write_end, parent)
            finally:
                os._exit(status)
        os.close(write_end)
        return pid

    def _child_dump(self, segment: int, report_fd: int, parent: int) -> int:
        _die_with(parent)
        gc.disable()  # the child only serializes and exits
        # Snapshots follow the replay budget, so under steady writes one is often
        # being written: the requests being served come first.
        os.nice(10)
        # A child outliving a killed parent must not keep its successor from
        # starting: it lets go of the directory lock and the listening socket.
        # Nor may it put a snapshot in place under that successor's feet: where the
        # kernel cannot end it with its parent, it stops once it is re-parented and
        # removes its temp file.
        for fd in [self._dir_lock, *self.close_in_child]:
            if fd is not None:
                os.close(fd)
        try:
            self._write_snapshot(segment, wanted=lambda: os.getppid() == parent)
            return 0
        except BaseException as error:
            with contextlib.suppress(OSError):  # a killed parent reads no report
                os.write(report_fd, f"{type(error).__name__}: {error}".encode()[:4000])
            return 1

    def _await_child(
        self, pid: int, report_fd: int, segment: int, started: float, carried: float
    ) -> None:
        with os.fdopen(report_fd, "rb") as report:
            message = report.read().decode(errors="replace")
        _, status, usage = os.wait4(pid, 0)
        self._finish_compaction(
            segment,
            started,
            None if status == 0 else message or f"status {status}",
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            carried=carried,
        )

    def _finish_compaction(
        self,
        segment: int,
        started: float,
        error: str | None,
        *,
        cpu_seconds: float,
        carried: float,
    ) -> None:
        """``carried``: the replay cost of the journal before ``segment``, which the
        rotation set to 0. A snapshot that failed cut nothing, so it counts again: the
        estimate (and ``status``) would otherwise say a restart replays far less than it
        does, and the retry would wait for a whole budget more."""
        with self.lock:
            newer = self.last_snapshot is None or segment > self.last_snapshot.segment
            if error is None and newer:
                path = self.data_dir / snapshot.snapshot_name(segment)
                self.last_snapshot = SnapshotInfo(path, segment, time.time(), path.stat().st_size)
                self._drop_old_generations()
                self.last_compaction_seconds = round(time.monotonic() - started, 3)
                self.replay_cost.snapshot_seconds = cpu_seconds
                logger.info(
                    "snapshot %s written in %.2f s", path.name, self.last_compaction_seconds
                )
            elif error is None:  # one taken in process (a reset, an import) meanwhile is newer
                assert self.last_snapshot is not None  # what it is not newer than
                logger.info(
                    "snapshot %s not used: %s is newer",
                    snapshot.snapshot_name(segment),
                    self.last_snapshot.path.name,
                )
            else:
                self.compaction_error = error
                self._retry_snapshot_at = time.monotonic() + SNAPSHOT_RETRY_SECONDS
                if newer:  # else a newer snapshot cut that journal after all
                    self.replay_cost.add(carried)
                logger.error("snapshot failed, the journal keeps everything: %s", error)
            self._compacting.clear()
        with self._compacted:
            self._compacted.notify_all()

    def compact_in_process(self, *, needs_snapshot: bool = False) -> None:
        """Snapshot without forking (shutdown, import, reset); caller holds ``lock``.

        ``needs_snapshot``: the state is not the journal's outcome (an import), so
        the next segment's records are only meaningful on top of this snapshot.
        """
        started, cpu_started = time.monotonic(), time.thread_time()
        carried = self.replay_cost.seconds
        segment = self._rotate(needs_snapshot=needs_snapshot)
        try:
            self._write_snapshot(segment)
        except (SnapshotError, OSError) as error:
            self._finish_compaction(segment, started, str(error), cpu_seconds=0.0, carried=carried)
            raise
        self._finish_compaction(
            segment, started, None, cpu_seconds=time.thread_time() - cpu_started, carried=carried
        )

    def snapshot_is_current(self) -> bool:
        """Whether the newest snapshot already holds every journaled request (caller holds
        ``lock``): then a clean stop has nothing to write, and 100k items no longer cost
        every stop 3 s of snapshot."""
        return (
            self.last_snapshot is not None
            and self.last_snapshot.segment == self.segment
            and self.writer is not None
            and self.writer.records == 0
        )

    def snapshot_or_undo(self) -> str | None:
        """Make a change that has no journal record (import, admin reset) durable.

        Its snapshot is its only durable form: if that cannot be written, memory
        goes back to what the disk holds, as after a refused write, and the
        error is returned (caller holds ``lock``).
        """
        try:
            self.compact_in_process(needs_snapshot=True)
        except (SnapshotError, OSError) as error:
            self._roll_back()
            carried = self.replay_cost.seconds  # a new segment, but no snapshot cut anything
            try:  # later writes are made on the state before it again: a plain segment
                self._rotate()
            except OSError as rotate_error:
                self._fail(rotate_error)
            else:
                self.replay_cost.add(carried)
            return str(error)
        return None

    def _write_snapshot(self, segment: int, wanted: Callable[[], bool] = lambda: True) -> None:
        data = snapshot.encode_state(segment, self.moto_version, wanted=wanted)
        path = self.data_dir / snapshot.snapshot_name(segment)
        snapshot.write_atomically(path, data, wanted=wanted)

    def _rotate(self, *, needs_snapshot: bool = False) -> int:
        """Start the next journal segment; returns its number (the snapshot's)."""
        assert self.writer is not None
        # The size the next header records must be on disk before the next segment
        # exists; then the next segment, so that if it cannot be created the current
        # one stays open.
        self.writer.sync()
        following = JournalWriter(
            self.data_dir / segment_name(self.segment + 1),
            self.moto_version,
            self.config.fsync,
            follows=self.writer.size,
            needs_snapshot=needs_snapshot,
        )
        try:
            self.writer.close()
        except OSError:
            # Not closed at that size after all; the new segment holds no record yet.
            following.close()
            following.path.unlink()
            raise
        self.segment += 1
        self.replay_cost.reset()
        self.writer = following
        return self.segment

    def _drop_old_generations(self) -> None:
        """Keep the newest two snapshots and the journal from the older one on."""
        snapshots = sorted(_numbered(self.data_dir, "snapshot"))
        # With one snapshot, its fallback is the whole journal from the start.
        keep_from = snapshots[-2] if len(snapshots) >= 2 else 0
        for number, path in _numbered(self.data_dir, "snapshot").items():
            if number < keep_from:
                path.unlink()
        for number, path in _numbered(self.data_dir, "journal").items():
            if number < keep_from:
                path.unlink()

    def _flush_every_second(self) -> None:
        while not self._closed:
            time.sleep(1)
            writer = self.writer
            if writer is not None:
                try:
                    writer.sync_if_dirty()
                except OSError as error:
                    logger.error("everysec fsync failed: %s", error)

    def close(self) -> None:
        with self.lock:
            self._closed = True
            if self.writer is not None:
                self.writer.close()
            if self._dir_lock is not None:
                os.close(self._dir_lock)
                self._dir_lock = None

    def status(self) -> dict[str, Any]:
        writer = self.writer
        last = self.last_snapshot
        return {
            "persistence": True,
            "data_dir": str(self.data_dir),
            "fsync": self.config.fsync,
            "journal": {
                "segment": segment_name(self.segment),
                "records": writer.records if writer else 0,
                "bytes": writer.size if writer else 0,
                "compact_after_records": self.config.compact_after_records,
                "compact_after_bytes": self.config.compact_after_bytes,
                "replay_estimate_seconds": round(self.replay_cost.seconds, 3),
                "replay_budget_seconds": round(self._replay_budget(), 3),
                "replay_budget_configured_seconds": self.config.replay_budget_seconds,
                "snapshot_spacing": self.config.snapshot_spacing,
            },
            "last_snapshot": None
            if last is None
            else {
                "file": last.path.name,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(last.created)),
                "bytes": last.size,
                "seconds_to_write": self.last_compaction_seconds,
                "cpu_seconds": round(self.replay_cost.snapshot_seconds, 3),
            },
            "compaction": {
                "running": self._compacting.is_set(),
                "error": self.compaction_error,
                "write_stalls": self.write_stalls,
                "write_stalled_seconds": round(self.write_stalled_seconds, 3),
            },
            "write_failure": self.write_failure,
            "unavailable": self.unavailable,
            "recovery": {
                "snapshot": self.recovery.snapshot,
                "replayed_records": self.recovery.replayed,
                "seconds": self.recovery.seconds,
                "notes": self.recovery.notes,
            },
        }
