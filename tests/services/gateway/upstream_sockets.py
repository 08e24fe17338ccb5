"""Upstreams on real sockets, each misbehaving its own way, for the proxy's tests."""

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from services.gateway.connections import UpstreamPool
from services.gateway.proxy import UpstreamFailure, forward


def ok(body: bytes) -> bytes:
    """A whole 200 answer carrying ``body``."""
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (len(body), body)


def failure_of(url: str, timeout: float = 5) -> UpstreamFailure:
    """Forward one GET to ``url`` on a pool of its own; it must fail: how."""

    async def go() -> None:
        async with UpstreamPool(timeout, connect_timeout_seconds=1) as pool:
            await forward(pool, "catalog", "GET", url, [], b"")

    with pytest.raises(UpstreamFailure) as failure:
        asyncio.run(go())
    assert "catalog" in failure.value.detail
    return failure.value


def serve_connections(
    handle: Callable[[socket.socket], object], *, concurrently: bool = False, backlog: int = 128
) -> Iterator[int]:
    """A real upstream on a free port: ``handle`` gets each accepted connection, one after
    the other, or each in a thread of its own (``concurrently``)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(backlog)

    def handled(connection: socket.socket) -> None:
        with connection:
            handle(connection)

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            if concurrently:
                threading.Thread(target=handled, args=(connection,), daemon=True).start()
            else:
                handled(connection)

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def read_request(connection: socket.socket) -> bytes:
    """One whole request's head, its ``Content-Length`` body read too (b"" once the peer
    hangs up); the gateway sends the next request on a connection only after an answer."""
    pending = b""
    while b"\r\n\r\n" not in pending:
        chunk = connection.recv(65536)
        if not chunk:
            return b""
        pending += chunk
    head, body = pending.split(b"\r\n\r\n", 1)
    lengths = [line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
    size = int(lengths[0].split(b":")[1]) if lengths else 0
    while len(body) < size:
        body += connection.recv(65536)
    return head
