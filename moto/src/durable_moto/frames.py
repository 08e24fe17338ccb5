"""The on-disk unit of both files: a length-prefixed, CRC-checked frame.

``>I`` payload length, ``>I`` CRC32 of the payload, then the payload. Nothing
writes an empty frame, so a zero length is damage (it is what a zero-filled
block looks like), not a record.

Reading stops at the first frame that is not whole and intact. What the bytes
from there on are decides what recovery may do with them (``Damage``):

* **torn**: the end of the file is an unfinished last write: a frame cut
  short by the end of the file, or blocks the disk never filled (zeros, what
  some filesystems leave after a power loss) where the next frame would start,
  with nothing intact after it.
  Such a write was never acknowledged under ``fsync always``.
* **corrupt**: written data was damaged: a whole frame whose checksum fails
  (even if it ends in zeros: a payload may), a frame whose length field is
  wrong but whose bytes are all there, or anything followed by a frame that
  is intact (the caller says how to recognise one of its own, so a stray
  match inside a payload is unlikely).
"""

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

HEADER = struct.Struct(">II")
MAX_FRAME = 1 << 31


class CorruptFrame(Exception):
    """A file that must be whole (a snapshot, an archive) is not."""

    def __init__(self, damage: "Damage") -> None:
        kind = "truncated" if damage.torn else "corrupt"
        super().__init__(f"{kind} at byte {damage.offset}: {damage.reason}")
        self.damage = damage


@dataclass(frozen=True)
class Damage:
    """The first bad frame of a file, and whether it is a torn tail or corruption."""

    offset: int
    size: int
    """Bytes from ``offset`` to the end of the file."""
    torn: bool
    reason: str


@dataclass
class Scan:
    frames: list[tuple[int, bytes]] = field(default_factory=list)
    """``(offset, payload)`` of every intact frame before any damage."""
    end: int = 0
    """Byte offset just after the last intact frame."""
    damage: Damage | None = None


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def _problem(view: memoryview, offset: int) -> str | None:
    """Why the frame at ``offset`` is not whole and intact, or None if it is."""
    end = len(view)
    if end - offset < HEADER.size:
        return f"{end - offset} bytes left, less than a frame header"
    length, crc = HEADER.unpack_from(view, offset)
    if length == 0:
        return "an empty frame (zero length)"
    if length > MAX_FRAME:
        return f"impossible length {length}"
    if offset + HEADER.size + length > end:
        return f"length {length} runs past the end of the file"
    if zlib.crc32(view[offset + HEADER.size : offset + HEADER.size + length]) != crc:
        return "checksum mismatch"
    return None


def intact_frame(data: bytes | memoryview, offset: int) -> bytes | None:
    """The payload of the frame at ``offset`` if it is whole and intact."""
    view = memoryview(data)
    if _problem(view, offset) is not None:
        return None
    length, _ = HEADER.unpack_from(view, offset)
    return bytes(view[offset + HEADER.size : offset + HEADER.size + length])


def scan_frames(
    data: bytes | memoryview,
    start: int = 0,
    *,
    find_intact: Callable[[bytes, int], int | None] | None = None,
) -> Scan:
    """Read the intact frames from ``start`` and classify what stops the reading.

    ``find_intact(data, position)`` returns the offset of an intact frame of the
    caller's kind at or after ``position``, or None: it tells a torn tail (nothing
    intact follows) from damage in the middle. Without it, only the shape of the
    bad frame decides.
    """
    view = memoryview(data)
    scan = Scan(end=start)
    offset = start
    while offset < len(view):
        problem = _problem(view, offset)
        if problem is not None:
            scan.damage = _classify(view, offset, problem, find_intact)
            return scan
        length, _ = HEADER.unpack_from(view, offset)
        body = offset + HEADER.size
        scan.frames.append((offset, bytes(view[body : body + length])))
        offset = scan.end = body + length
    return scan


def _classify(
    view: memoryview,
    offset: int,
    problem: str,
    find_intact: Callable[[bytes, int], int | None] | None,
) -> Damage:
    size = len(view) - offset
    follower = find_intact(bytes(view), offset + 1) if find_intact else None
    if follower is not None:
        reason = f"{problem}, and an intact record follows at byte {follower}"
        return Damage(offset, size, False, reason)
    written = _without_trailing_zeros(view, offset)
    if written == offset:
        return Damage(offset, size, True, f"{size} zero bytes: blocks never written")
    if written - offset < HEADER.size:
        return Damage(offset, size, True, f"a frame header cut short ({problem})")
    length, crc = HEADER.unpack_from(view, offset)
    body = view[offset + HEADER.size : written]
    if zlib.crc32(body) == crc or zlib.crc32(view[offset + HEADER.size :]) == crc:
        # Every byte of the frame is there and intact: only its length is wrong.
        return Damage(offset, size, False, f"{problem}: a whole frame with a damaged length")
    if 0 < length <= MAX_FRAME and offset + HEADER.size + length > len(view):
        # Only a frame that runs past the end of the file can be unfinished. One
        # that fits may end in zeros of its own (an S3 object can): it is whole,
        # so a failed checksum is damage, even if the zeros look like unwritten
        # blocks.
        unwritten = len(view) - written
        tail = f", then {unwritten} zero bytes never written" if unwritten else ""
        reason = f"a last write cut short: {written - offset} of {HEADER.size + length} bytes{tail}"
        return Damage(offset, size, True, reason)
    return Damage(offset, size, False, f"{problem}: a whole frame that is damaged")


def _without_trailing_zeros(view: memoryview, start: int) -> int:
    """The offset after the last non-zero byte at or after ``start`` (``start`` if none)."""
    stripped = bytes(view[start:]).rstrip(b"\0")
    return start + len(stripped)


def read_whole(data: bytes | memoryview, start: int = 0) -> list[bytes]:
    """Every frame's payload of a file that is written whole; CorruptFrame on any damage."""
    scan = scan_frames(data, start)
    if scan.damage is not None:
        raise CorruptFrame(scan.damage)
    return [payload for _, payload in scan.frames]
