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
from typing import Any

from durable_moto.config import FsyncPolicy
from durable_moto.frames import HEADER, Damage, frame, intact_frame, scan_frames
from durable_moto.records import RECORD_MARKER, Record

MAGIC = b"DMJ1"
FORMAT = 1


class JournalError(Exception):
    """A segment this server must not replay: another format or Moto version wrote it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class Segment:
    path: Path
    records: list[Record]
    end: int
    """Byte offset just after the last intact record (0: not even the header is)."""
    damage: Damage | None


def segment_name(number: int) -> str:
    return f"journal-{number:08d}.log"


def read_segment(path: Path, moto_version: str) -> Segment:
    """The intact records of a segment and, if any, what stops the reading.

    Raises JournalError only for a segment of another format or Moto version.
    """
    data = path.read_bytes()
    if not data:  # created, then the server stopped before writing to it
        return Segment(path, [], 0, None)
    if data[: len(MAGIC)] != MAGIC:
        damage = _bad_magic(data)
        return Segment(path, [], 0, damage)
    scan = scan_frames(data, len(MAGIC), find_intact=find_record)
    if not scan.frames:  # not even the header frame is intact
        assert scan.damage is not None
        return Segment(path, [], 0, scan.damage)
    header = json.loads(scan.frames[0][1])
    if header.get("format") != FORMAT or header.get("moto") != moto_version:
        raise JournalError(
            path,
            f"written by format {header.get('format')} / Moto {header.get('moto')}, "
            f"this server is format {FORMAT} / Moto {moto_version}",
        )
    records = [Record.decode(payload) for _, payload in scan.frames[1:]]
    return Segment(path, records, scan.end, scan.damage)


def read_header(path: Path) -> dict[str, Any]:
    """A segment's header fields without reading its records ({} if not intact).

    ``follows``: the size the previous segment was closed at (one that is
    shorter lost whole records, which its own frames cannot show when it ends
    between two of them). ``needs_snapshot``: the state its records were made
    on exists only in the snapshot of the same number (an import, a reset).
    """
    with open(path, "rb") as handle:
        start = handle.read(len(MAGIC) + HEADER.size)
        if len(start) < len(MAGIC) + HEADER.size or start[: len(MAGIC)] != MAGIC:
            return {}
        length, _ = HEADER.unpack_from(start, len(MAGIC))
        header = intact_frame(start + handle.read(min(length, 1 << 16)), len(MAGIC))
    # A segment whose header is not intact is refused when it is read.
    fields = json.loads(header) if header is not None else {}
    return fields if isinstance(fields, dict) else {}


def _bad_magic(data: bytes) -> Damage:
    if MAGIC.startswith(data.rstrip(b"\0")):
        return Damage(0, len(data), True, "a new segment whose first write never completed")
    follower = find_record(data, 0)
    where = f", and an intact record follows at byte {follower}" if follower is not None else ""
    return Damage(0, len(data), False, f"not a journal segment (bad magic){where}")


def find_record(data: bytes, position: int) -> int | None:
    """The offset of the first intact record frame at or after ``position``.

    A record's payload starts with its metadata's length and ``RECORD_MARKER``
    (``Record.encode``), so candidates are found by that marker, then checked
    whole: length, checksum, and that the record decodes.
    """
    prefix = HEADER.size + 4
    found = data.find(RECORD_MARKER, position + prefix)
    while found >= 0:
        payload = intact_frame(data, found - prefix)
        if payload is not None and Record.is_record(payload):
            return found - prefix
        found = data.find(RECORD_MARKER, found + 1)
    return None


class JournalWriter:
    """Appends records to one segment with the configured fsync policy."""

    def __init__(
        self,
        path: Path,
        moto_version: str,
        fsync: FsyncPolicy,
        *,
        follows: int | None = None,
        needs_snapshot: bool = False,
    ) -> None:
        """``follows`` and ``needs_snapshot`` go into the header (see ``read_header``)."""
        self.path = path
        self._fsync = fsync
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._synced_cond = threading.Condition()
        self._syncing = False
        self.failed: OSError | None = None
        """Set by a failed fsync: what was not yet synced may be lost, so nothing more is
        accepted (after a failed fsync the kernel may report later ones as successful)."""
        self.records = 0
        self.size = os.fstat(self._fd).st_size
        self._synced = self.size
        if self.size == 0:
            fields: dict[str, object] = {"format": FORMAT, "moto": moto_version}
            if follows is not None:
                fields["follows"] = follows
            if needs_snapshot:
                fields["needs_snapshot"] = True
            header = json.dumps(fields).encode()
            try:
                self._write(MAGIC + frame(header))
                self.sync()
                fsync_directory(path.parent)
            except OSError:
                os.close(self._fd)
                raise

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
                if self.failed is not None:
                    raise OSError(f"an earlier fsync of {self.path.name} failed: {self.failed}")
                if self._syncing:
                    self._synced_cond.wait()
                    continue
                self._syncing = True
                target = self.size
                self._synced_cond.release()
                try:
                    os.fdatasync(self._fd)
                except OSError as error:
                    self.failed = error
                    raise
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
                try:
                    os.fdatasync(self._fd)
                except OSError as error:
                    self.failed = error  # waiting writers must not take it for a success
                    raise
                os.close(self._fd)
                self._fd = -1
                self._synced = self.size
            self._synced_cond.notify_all()

    def discard_unsynced(self) -> bool:
        """After a failed fsync: cut the file back to what is known to be on disk.

        Returns whether anything was cut (the first caller rolls memory back).
        """
        with self._synced_cond:
            if self.size == self._synced:
                return False
            os.ftruncate(self._fd, self._synced)
            self.size = self._synced
            return True

    def _write(self, data: bytes) -> None:
        """Write all of ``data`` or, on an error, none of it (a partial write is cut)."""
        if self.failed is not None:
            raise OSError(f"an earlier fsync of {self.path.name} failed: {self.failed}")
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError:
            os.ftruncate(self._fd, self.size)
            raise
        self.size += len(data)


def fsync_directory(path: Path) -> None:
    """Make a create, rename or delete in ``path`` itself durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
