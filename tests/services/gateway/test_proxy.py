"""Upstream failures, produced with real sockets, map to the documented statuses."""

import asyncio
import gzip
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from devstack.waiting import free_port
from services.gateway.main import app
from services.gateway.proxy import UpstreamFailure, UpstreamPool, forward, forwardable


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def serve_connections(handle: Callable[[socket.socket], object]) -> Iterator[int]:
    """A real upstream on a free port: ``handle`` gets each accepted connection."""
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
                handle(connection)

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def hang_up_server() -> Iterator[int]:
    """Reads the request, then closes the connection without a response."""
    yield from serve_connections(lambda connection: connection.recv(65536))


def call(port: int, timeout: float = 5) -> UpstreamFailure:
    """Forward one request to ``port``; it must fail."""

    async def go() -> None:
        async with UpstreamPool(timeout, connect_timeout_seconds=1) as pool:
            await forward(pool, "catalog", "GET", f"http://127.0.0.1:{port}/x", [], b"")

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


@pytest.fixture
def one_request_per_connection_server() -> Iterator[int]:
    """Answers the first request on each connection (keep-alive), then hangs up without an
    answer when the same connection brings the next one: as an upstream that dropped a
    connection the gateway still has in its pool."""

    def answer_once(connection: socket.socket) -> None:
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        connection.recv(65536)  # the next request on this connection: hang up

    yield from serve_connections(answer_once)


def test_a_connection_the_upstream_dropped_never_fails_the_next_request(
    one_request_per_connection_server: int,
) -> None:
    """60 requests on one pooled client: every reuse of a dropped connection is retried on a
    fresh one, so none of them fails."""
    url = f"http://127.0.0.1:{one_request_per_connection_server}/x"

    async def go() -> list[int]:
        async with UpstreamPool(5, connect_timeout_seconds=5) as pool:
            return [
                (await forward(pool, "catalog", method, url, [], b"")).status
                for method in ["GET", "DELETE", "PUT"] * 20
            ]

    assert asyncio.run(go()) == [200] * 60


@pytest.fixture
def counting_upstream() -> Iterator[tuple[int, list[int]]]:
    """Answers every request on a connection (keep-alive) and counts the connections."""
    accepted: list[int] = []

    def keep_answering(connection: socket.socket) -> None:
        accepted.append(1)
        pending = b""
        while True:
            while b"\r\n\r\n" not in pending:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                pending += chunk
            _, pending = pending.split(b"\r\n\r\n", 1)  # GETs: no body
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    for port in serve_connections(keep_answering):
        yield port, accepted


def test_the_gateway_reuses_its_upstream_connection(
    aws: None,
    counting_upstream: tuple[int, list[int]],
    probe_route: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Twenty GETs through the gateway app reach the upstream on one connection."""
    port, accepted = counting_upstream
    monkeypatch.setitem(app.state.settings.upstreams, probe_route, f"http://127.0.0.1:{port}")
    with TestClient(app) as client:
        answers = [client.get(f"/api/{probe_route}/products/{n}") for n in range(20)]
    assert [(a.status_code, a.text) for a in answers] == [(200, "ok")] * 20
    assert len(accepted) == 1


@pytest.fixture
def cookie_setting_upstream() -> Iterator[tuple[int, list[bytes]]]:
    """Sets a cookie on every answer and keeps each request head it receives."""
    heads: list[bytes] = []

    def answer(connection: socket.socket) -> None:
        heads.append(connection.recv(65536))
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nSet-Cookie: session=first-caller\r\n"
            b"Content-Length: 2\r\nConnection: close\r\n\r\nok"
        )

    for port in serve_connections(answer):
        yield port, heads


def test_a_cookie_an_upstream_set_for_one_caller_never_reaches_it_with_another(
    aws: None,
    cookie_setting_upstream: tuple[int, list[bytes]],
    probe_route: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cookie goes back to the caller it was set for; the gateway keeps no jar, so the
    next caller's request reaches the upstream without it."""
    port, heads = cookie_setting_upstream
    monkeypatch.setitem(app.state.settings.upstreams, probe_route, f"http://127.0.0.1:{port}")
    with TestClient(app) as first, TestClient(app) as second:
        answer = first.get(f"/api/{probe_route}/me")
        assert answer.headers["set-cookie"] == "session=first-caller"
        second.get(f"/api/{probe_route}/me")
    assert len(heads) == 2
    assert b"first-caller" not in heads[1].lower()


def test_an_encoded_body_passes_through_with_its_encoding() -> None:
    """What the upstream encoded reaches the client as sent, with the header that says so."""
    body = gzip.compress(b'{"ok": true}')

    def answer(connection: socket.socket) -> None:
        connection.recv(65536)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%b"
            % (len(body), body)
        )

    async def go(port: int) -> tuple[list[tuple[str, str]], bytes]:
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            sent = await forward(pool, "catalog", "GET", f"http://127.0.0.1:{port}/x", [], b"")
            return sent.headers, sent.body

    for port in serve_connections(answer):
        headers, received = asyncio.run(go(port))
    assert ("Content-Encoding", "gzip") in headers
    assert received == body
