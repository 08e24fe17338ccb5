"""Where a request's body ends: decided strictly, and read whole before any app runs.

cheroot trusts what it is told: it reads ``Content-Length`` with ``int()``
(which takes ``-5``, ``+5``, ``1_0``), lets the last of two ``Content-Length``
headers win, accepts ``Transfer-Encoding`` next to ``Content-Length``, reads
any chunk size ``int(x, 16)`` takes (``-1`` ends the body, a huge one is
allocated), and hands the application a body that simply stops short when the
client hangs up early. Each of those either failed as a 500 or, worse, let a
cut body reach Moto as if whole (an S3 object stored short). Here the framing
is checked as RFC 9112 (section 6) asks, the body is read to its announced end,
and anything else is a ``FramingError``, answered 400 with the connection
closed: once the framing is in doubt, so is where the next request starts.

A request with both ``Transfer-Encoding`` and ``Content-Length`` is refused,
not read as chunked: RFC 9112 allows either, and refusing leaves no room for a
proxy in front to have framed it the other way (request smuggling).
"""

import re
from typing import IO

CONTENT_LENGTH = b"Content-Length"
TRANSFER_ENCODING = b"Transfer-Encoding"
CRLF = b"\r\n"

MAX_BODY_BYTES = 2**63 - 1
"""A length past this is no length at all (it overflows every read); smaller ones are read."""

LINE_BYTES = 4096
"""A chunk size line (with its extensions) or one trailer line."""

TRAILER_BYTES = 64 * 1024
"""All trailer lines together, as for the headers."""

PIECE_BYTES = 1024 * 1024
"""Reads go in pieces: memory grows with the bytes that arrive, never with a claimed length."""

_DIGITS = re.compile(rb"[0-9]+")
_HEX_DIGITS = re.compile(rb"[0-9A-Fa-f]+")


class FramingError(Exception):
    """The body's extent cannot be known, or the body did not arrive whole.

    Not a ``ValueError``: werkzeug turns those from a stream into a client
    disconnect, and this must reach the server as what it is.
    """


class Headers(dict[bytes, bytes]):
    """Request headers that remember which names were sent more than once.

    cheroot keeps only the last of two ``Content-Length`` headers; two
    differing lengths must be refused, not resolved.
    """

    def __init__(self) -> None:
        super().__init__()
        self.repeated: set[bytes] = set()

    def __setitem__(self, name: bytes, value: bytes) -> None:
        if name in self:
            self.repeated.add(name)
        super().__setitem__(name, value)


def read_body(stream: IO[bytes], headers: Headers, chunked: bool) -> bytes:
    """The whole body, after cheroot has parsed the headers (``chunked``: it saw chunked)."""
    length = _content_length(headers, chunked)
    if chunked:
        return _read_chunked(stream)
    return _read_exactly(stream, length, f"the {length}-byte body its Content-Length announced")


def _content_length(headers: Headers, chunked: bool) -> int:
    if CONTENT_LENGTH in headers.repeated:
        raise FramingError("more than one Content-Length header")
    coding = headers.get(TRANSFER_ENCODING)
    length = headers.get(CONTENT_LENGTH)
    if coding is not None:
        if length is not None:
            raise FramingError("both Transfer-Encoding and Content-Length: send one of them")
        if not chunked:
            # cheroot honours Transfer-Encoding only in HTTP/1.1 and with a coding named.
            raise FramingError("Transfer-Encoding needs HTTP/1.1 and the coding chunked")
        codings = [part.strip().lower() for part in coding.split(b",")]
        if codings.count(b"chunked") != 1 or codings[-1] != b"chunked":
            raise FramingError("chunked must be the last transfer coding, applied once")
        return 0
    if length is None:
        return 0
    if not _DIGITS.fullmatch(length):
        raise FramingError(f"Content-Length {_shown(length)} is not a number of bytes")
    if int(length) > MAX_BODY_BYTES:
        raise FramingError(f"Content-Length {_shown(length)} is larger than any body can be")
    return int(length)


def _read_chunked(stream: IO[bytes]) -> bytes:
    pieces = []
    while size := _chunk_size(_line(stream, "a chunk size line")):
        pieces.append(_read_exactly(stream, size, f"a {size}-byte chunk"))
        if stream.read(2) != CRLF:
            raise FramingError(f"a {size}-byte chunk is not followed by CRLF")
    _skip_trailers(stream)
    return b"".join(pieces)


def _chunk_size(line: bytes) -> int:
    field = line.split(b";", 1)[0].rstrip(b" \t")  # chunk extensions are ignored
    if not _HEX_DIGITS.fullmatch(field):
        raise FramingError(f"chunk size {_shown(field)} is not a hexadecimal number")
    size = int(field, 16)
    if size > MAX_BODY_BYTES:
        raise FramingError(f"chunk size {_shown(field)} is larger than any body can be")
    return size


def _skip_trailers(stream: IO[bytes]) -> None:
    """Read the trailer section to its empty line, so the next request starts where it should."""
    total = 0
    while line := _line(stream, "the trailer section"):
        total += len(line) + len(CRLF)
        if total > TRAILER_BYTES:
            raise FramingError(f"the trailer section is longer than {TRAILER_BYTES} bytes")


def _line(stream: IO[bytes], what: str) -> bytes:
    line = stream.readline(LINE_BYTES + 1)
    if line.endswith(CRLF):
        return line[: -len(CRLF)]
    if len(line) > LINE_BYTES:
        raise FramingError(f"{what} is longer than {LINE_BYTES} bytes")
    if line.endswith(b"\n"):
        raise FramingError(f"{what} ends with a bare LF, not CRLF")
    raise FramingError(f"the connection ended inside {what}")


def _read_exactly(stream: IO[bytes], size: int, what: str) -> bytes:
    pieces = []
    missing = size
    while missing:
        piece = stream.read(min(missing, PIECE_BYTES))
        if not piece:
            raise FramingError(f"the connection ended {missing} bytes short of {what}")
        pieces.append(piece)
        missing -= len(piece)
    return b"".join(pieces)


def _shown(value: bytes) -> str:
    """A header value in a message: escaped, and cut (the message goes back to the client)."""
    return repr(value[:40].decode("latin-1"))
