"""Reading a request body by its framing, on byte streams (the server's side is in
test_durable_http_server): counted reads, never a read sized by what a client claims."""

import io

import pytest

from durable_moto import framing


class CountingStream(io.BytesIO):
    """A stream that records the size of every read asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


def headers(*pairs: tuple[bytes, bytes]) -> framing.Headers:
    parsed = framing.Headers()
    for name, value in pairs:
        parsed[name] = value
    return parsed


def test_a_claimed_length_never_sizes_a_read() -> None:
    """A client may claim any length and send ten bytes: memory follows what arrives."""
    stream = CountingStream(b"0123456789")
    claimed = headers((b"Content-Length", b"%d" % (2**62)))
    with pytest.raises(framing.FramingError, match="ended"):
        framing.read_body(stream, claimed, chunked=False)
    assert max(stream.asked) == framing.PIECE_BYTES
    assert len(stream.asked) == 2  # the ten bytes, then the end of the stream


def test_a_chunked_body_is_read_through_its_trailers_and_no_further() -> None:
    next_request = b"GET / HTTP/1.1\r\n"
    stream = CountingStream(
        b"4;ext=1\r\nabcd\r\n2\r\nef\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n" + next_request
    )
    body = framing.read_body(stream, headers((b"Transfer-Encoding", b"chunked")), chunked=True)
    assert body == b"abcdef"
    assert stream.read() == next_request


def test_a_repeated_length_is_remembered_even_when_equal() -> None:
    repeated = headers((b"Content-Length", b"2"), (b"Content-Length", b"2"))
    assert repeated.repeated == {b"Content-Length"}
    with pytest.raises(framing.FramingError, match="more than one"):
        framing.read_body(io.BytesIO(b"{}"), repeated, chunked=False)


@pytest.mark.parametrize("line", [b"x" * (framing.LINE_BYTES + 1), b"X: y\r\n" * 20000])
def test_chunk_lines_and_trailers_are_bounded(line: bytes) -> None:
    stream = io.BytesIO(b"0\r\n" + line + b"\r\n")
    with pytest.raises(framing.FramingError, match="longer than"):
        framing.read_body(stream, headers((b"Transfer-Encoding", b"chunked")), chunked=True)
