"""The on-disk unit of both files: a length-prefixed, CRC-checked frame.

``>I`` payload length, ``>I`` CRC32 of the payload, then the payload. A frame
whose length runs past the end of the file is *torn* (the process died while
writing it); a complete frame whose CRC does not match is *corrupt*.
"""

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

HEADER = struct.Struct(">II")
MAX_FRAME = 1 << 31


class CorruptFrame(Exception):
    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"corrupt frame at byte {offset}: {reason}")
        self.offset = offset
        self.reason = reason


@dataclass(frozen=True)
class TornTail:
    """Where the last, incomplete frame starts, and how many bytes it has."""

    offset: int
    size: int


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def read_frames(data: bytes | memoryview, start: int = 0) -> Iterator[tuple[int, bytes] | TornTail]:
    """Yield ``(offset, payload)`` per frame, then a TornTail if the data ends mid-frame.

    Raises CorruptFrame for a complete frame that fails its checksum.
    """
    view = memoryview(data)
    offset = start
    end = len(view)
    while offset < end:
        if end - offset < HEADER.size:
            yield TornTail(offset, end - offset)
            return
        length, crc = HEADER.unpack_from(view, offset)
        body_start = offset + HEADER.size
        if length > MAX_FRAME:
            raise CorruptFrame(offset, f"impossible length {length}")
        if body_start + length > end:
            yield TornTail(offset, end - offset)
            return
        payload = bytes(view[body_start : body_start + length])
        if zlib.crc32(payload) != crc:
            raise CorruptFrame(offset, "checksum mismatch")
        yield offset, payload
        offset = body_start + length
