"""The append-only journal: segment files of framed records.

A segment starts with a magic string and a header frame naming the Moto
version that wrote it (replay is only deterministic on the same version). Each
acknowledged request is one frame. Compaction starts a new segment; a snapshot
numbered N contains everything in segments below N.
"""

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from durable_moto.config import FsyncPolicy
from durable_moto.frames import CorruptFrame, TornTail, frame, read_frames
from durable_moto.records import Record

MAGIC = b"DMJ1"
FORMAT = 1


class JournalError(Exception):
    """A segment that cannot be replayed as it is; ``offset`` is where trouble starts."""

    def __init__(self, path: Path, offset: int, reason: str) -> None:
        super().__init__(f"{path.name}: {reason} (at byte {offset})")
        self.path = path
        self.offset = offset
        self.reason = reason


@dataclass
class Segment:
    path: Path
    records: list[Record]
    end: int
    """Byte offset just after the last good record."""
    torn: TornTail | None


def segment_name(number: int) -> str:
    return f"journal-{number:08d}.log"


def read_segment(path: Path, moto_version: str) -> Segment:
    data = path.read_bytes()
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        if len(data) < len(MAGIC) and MAGIC.startswith(data):
            return Segment(path, [], 0, TornTail(0, len(data)))
        raise JournalError(path, 0, "not a journal segment (bad magic)")
    frames = read_frames(data, len(MAGIC))
    try:
        first = next(frames, None)
        if first is None or isinstance(first, TornTail):
            return Segment(path, [], 0, first)
        header = json.loads(first[1])
        if header.get("format") != FORMAT or header.get("moto") != moto_version:
            raise JournalError(
                path,
                0,
                f"written by format {header.get('format')} / Moto {header.get('moto')}, "
                f"this server is format {FORMAT} / Moto {moto_version}",
            )
        records: list[Record] = []
        end = len(MAGIC) + len(frame(first[1]))
        for item in frames:
            if isinstance(item, TornTail):
                return Segment(path, records, end, item)
            offset, payload = item
            records.append(Record.decode(payload))
            end = offset + len(frame(payload))
        return Segment(path, records, end, None)
    except CorruptFrame as error:
        raise JournalError(path, error.offset, error.reason) from None


class JournalWriter:
    """Appends records to one segment with the configured fsync policy."""

    def __init__(self, path: Path, moto_version: str, fsync: FsyncPolicy) -> None:
        self.path = path
        self._fsync = fsync
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._synced_cond = threading.Condition()
        self._syncing = False
        self.records = 0
        self.size = os.fstat(self._fd).st_size
        self._synced = self.size
        if self.size == 0:
            header = json.dumps({"format": FORMAT, "moto": moto_version}).encode()
            self._write(MAGIC + frame(header))
            self.sync()
            fsync_directory(path.parent)

    def append(self, record: Record) -> int:
        """Write one record to the OS; returns the offset ``sync_through`` must reach."""
        self._write(frame(record.encode()))
        self.records += 1
        return self.size

    def sync(self) -> None:
        self.sync_through(self.size)

    def sync_through(self, offset: int) -> None:
        """Return once every byte before ``offset`` is on disk.

        Concurrent writers share fsyncs: one of them (the leader) syncs all
        that has been written so far, the others wait for it instead of
        queueing fsyncs of their own on the disk.
        """
        with self._synced_cond:
            while self._synced < offset and self._fd >= 0:
                if self._syncing:
                    self._synced_cond.wait()
                    continue
                self._syncing = True
                target = self.size
                self._synced_cond.release()
                try:
                    os.fdatasync(self._fd)
                finally:
                    self._synced_cond.acquire()
                    self._syncing = False
                    self._synced_cond.notify_all()
                self._synced = max(self._synced, target)

    def sync_if_dirty(self) -> None:
        """The ``everysec`` flusher calls this once a second."""
        if self._synced < self.size:
            self.sync()

    def close(self) -> None:
        """fsync and close; later ``sync_through`` calls return at once."""
        with self._synced_cond:
            while self._syncing:
                self._synced_cond.wait()
            if self._fd >= 0:
                os.fdatasync(self._fd)
                os.close(self._fd)
                self._fd = -1
                self._synced = self.size
            self._synced_cond.notify_all()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self.size += len(data)


def fsync_directory(path: Path) -> None:
    """Make a create, rename or delete in ``path`` itself durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
