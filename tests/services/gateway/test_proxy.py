"""Upstream failures, produced with real sockets, map to the documented statuses."""

import asyncio
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from devstack.waiting import free_port
from services.gateway.proxy import UpstreamFailure, forward, forwardable


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.fixture
def hang_up_server() -> Iterator[int]:
    """Reads the request, then closes the connection without a response."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def call(port: int, timeout: float = 5) -> UpstreamFailure:
    """Forward one request to ``port``; it must fail."""

    async def go() -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=1)) as client:
            await forward(client, "catalog", "GET", f"http://127.0.0.1:{port}/x", [], b"")

    with pytest.raises(UpstreamFailure) as failure:
        asyncio.run(go())
    assert "catalog" in failure.value.detail
    return failure.value


def test_refused_connection_is_503() -> None:
    assert call(free_port()).status == 503


def test_silent_upstream_is_504(silent_server: int) -> None:
    assert call(silent_server, timeout=0.5).status == 504


def test_hang_up_mid_request_is_502(hang_up_server: int) -> None:
    assert call(hang_up_server).status == 502


def test_hop_by_hop_headers_are_dropped() -> None:
    headers = [("Connection", "keep-alive"), ("X-Custom", "1"), ("Host", "a"), ("TE", "x")]
    assert forwardable(headers) == [("X-Custom", "1")]
