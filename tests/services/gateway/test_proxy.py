"""Upstream failures, produced with real sockets, map to the documented statuses."""

import asyncio
import gzip
import socket
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from devstack.waiting import free_port
from services.gateway.connections import UpstreamPool
from services.gateway.main import app
from services.gateway.proxy import UpstreamFailure, forward, forwardable
from tests.services.gateway.upstream_sockets import failure_of, read_request, serve_connections


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def route_to(monkeypatch: pytest.MonkeyPatch, route: str, port: int) -> None:
    """The gateway app's ``route`` leads to the upstream on ``port`` for this test."""
    monkeypatch.setitem(app.state.settings.upstreams, route, f"http://127.0.0.1:{port}")


@pytest.fixture
def hang_up_server() -> Iterator[int]:
    """Reads the request, then closes the connection without a response."""
    yield from serve_connections(lambda connection: connection.recv(65536))


def call(port: int, timeout: float = 5) -> UpstreamFailure:
    """Forward one request to ``port``; it must fail."""
    return failure_of(f"http://127.0.0.1:{port}/x", timeout)


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


def test_the_gateway_reuses_its_upstream_connection(
    aws: None,
    recording_upstream: tuple[int, list[bytes], list[int]],
    probe_route: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Twenty GETs through the gateway app reach the upstream on one connection."""
    port, _, accepted = recording_upstream
    route_to(monkeypatch, probe_route, port)
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
    route_to(monkeypatch, probe_route, port)
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


@pytest.fixture
def recording_upstream() -> Iterator[tuple[int, list[bytes], list[int]]]:
    """Answers every request on a connection (keep-alive); keeps each request head and
    counts the connections."""
    heads: list[bytes] = []
    accepted: list[int] = []

    def keep_answering(connection: socket.socket) -> None:
        accepted.append(1)
        while head := read_request(connection):
            heads.append(head)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    for port in serve_connections(keep_answering):
        yield port, heads, accepted


def test_the_upstream_gets_the_path_with_its_parameters_and_query(
    aws: None,
    recording_upstream: tuple[int, list[bytes], list[int]],
    probe_route: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ``;`` in the last segment is part of the path (RFC 3986): the request line the
    upstream reads is the one the client sent, not one cut at the ``;``."""
    port, heads, _ = recording_upstream
    route_to(monkeypatch, probe_route, port)
    with TestClient(app) as client:
        answer = client.get(f"/api/{probe_route}/products/p-1;v=2?page=2;size=3")
    assert answer.status_code == 200
    assert heads[0].split(b"\r\n")[0] == b"GET /products/p-1;v=2?page=2;size=3 HTTP/1.1"


def test_an_upstream_trickling_its_answer_is_cut_off_at_the_timeout() -> None:
    """Each byte arrives well within the read timeout, the whole answer would take twenty
    times the gateway's timeout: the client gets a 504, not the answer when it ends."""
    hung_up = threading.Event()

    def trickle(connection: socket.socket) -> None:
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        try:
            for _ in range(100):
                connection.sendall(b".")
                hung_up.wait(0.1)
        except OSError:
            return

    for port in serve_connections(trickle):
        try:
            assert call(port, timeout=0.5).status == 504
        finally:
            hung_up.set()


SLOW_CALLERS = 100
"""As many requests in flight to one upstream as the gateway keeps connections to it."""


@pytest.fixture
def held_upstream() -> Iterator[tuple[int, threading.Semaphore, threading.Event]]:
    """Reads each request (one thread per connection, the semaphore counts them) and
    answers only once the event is set: an upstream with every request stuck."""
    received, release = threading.Semaphore(0), threading.Event()

    def hold(connection: socket.socket) -> None:
        connection.recv(65536)
        received.release()
        release.wait()
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    for port in serve_connections(hold, concurrently=True, backlog=SLOW_CALLERS):
        yield port, received, release
        release.set()


def test_a_stuck_upstream_leaves_the_others_reachable(
    held_upstream: tuple[int, threading.Semaphore, threading.Event],
    recording_upstream: tuple[int, list[bytes], list[int]],
) -> None:
    """An upstream holding as many requests as the gateway sends it does not take the
    connections another upstream needs: that one answers while all of them still wait."""
    slow_port, received, release = held_upstream
    fast_port, _, _ = recording_upstream

    def all_received() -> bool:
        return all(received.acquire(timeout=30) for _ in range(SLOW_CALLERS))

    async def go() -> tuple[int, list[bool], list[int]]:
        async with UpstreamPool(30, connect_timeout_seconds=30) as pool:
            slow = [
                asyncio.create_task(
                    forward(pool, "orders", "GET", f"http://127.0.0.1:{slow_port}/x", [], b"")
                )
                for _ in range(SLOW_CALLERS)
            ]
            assert await asyncio.to_thread(all_received)
            fast = await forward(pool, "catalog", "GET", f"http://127.0.0.1:{fast_port}/x", [], b"")
            waiting = [not task.done() for task in slow]
            release.set()
            return fast.status, waiting, [(await task).status for task in slow]

    fast_status, waiting, slow_statuses = asyncio.run(go())
    assert fast_status == 200
    assert waiting == [True] * SLOW_CALLERS
    assert slow_statuses == [200] * SLOW_CALLERS


def test_a_post_on_a_connection_the_upstream_dropped_is_not_sent_twice() -> None:
    """Only idempotent requests are sent again: the POST that met a dropped keep-alive
    connection fails as a 502, and no fresh connection brings the upstream a copy."""
    posts: list[bytes] = []

    def answer_once(connection: socket.socket) -> None:
        posts.append(read_request(connection))
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        posts.append(read_request(connection))  # the next one on this connection: hang up

    async def go(url: str) -> tuple[int, int]:
        async with UpstreamPool(5, connect_timeout_seconds=5) as pool:
            first = await forward(pool, "orders", "POST", url, [], b"{}")
            with pytest.raises(UpstreamFailure) as failure:
                await forward(pool, "orders", "POST", url, [], b"{}")
            return first.status, failure.value.status

    for port in serve_connections(answer_once):
        assert asyncio.run(go(f"http://127.0.0.1:{port}/x")) == (200, 502)
    assert [head.split(b" ")[0] for head in posts] == [b"POST", b"POST"]


def test_the_upstream_gets_the_gateways_forwarded_fields_only(
    aws: None,
    recording_upstream: tuple[int, list[bytes], list[int]],
    probe_route: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A client's own ``Forwarded`` and ``X-Forwarded-*`` never reach the upstream beside
    the gateway's: an upstream reading the first of each, or trusting ``X-Forwarded-For``
    from the gateway's address (uvicorn does), would take the client's word for them."""
    port, heads, _ = recording_upstream
    route_to(monkeypatch, probe_route, port)
    spoofed = {
        "X-Forwarded-Prefix": "/evil",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "10.0.0.1",
        "Forwarded": "for=10.0.0.1;proto=https",
    }
    with TestClient(app) as client:
        assert client.get(f"/api/{probe_route}/x", headers=spoofed).status_code == 200
    forwarded = [line.lower() for line in heads[0].split(b"\r\n") if b"forwarded" in line.lower()]
    assert sorted(forwarded) == [
        b"x-forwarded-host: testserver",
        f"x-forwarded-prefix: /api/{probe_route}".encode(),
        b"x-forwarded-proto: http",
    ]


def test_a_latin_1_header_value_reaches_the_upstream_byte_for_byte(
    recording_upstream: tuple[int, list[bytes], list[int]],
) -> None:
    """Header values pass as the server decoded them (latin-1): a byte above 0x7f is sent
    as that byte, neither refused nor re-encoded as UTF-8."""
    port, heads, _ = recording_upstream

    async def go() -> int:
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            url = f"http://127.0.0.1:{port}/x"
            return (await forward(pool, "catalog", "GET", url, [("X-Name", "café")], b"")).status

    assert asyncio.run(go()) == 200
    assert b"\r\nX-Name: caf\xe9" in heads[0]


@pytest.mark.parametrize("length", [b"Content-Length: 1234\r\n", b""])
def test_a_head_answer_keeps_the_length_a_get_would_have(
    aws: None, probe_route: str, monkeypatch: pytest.MonkeyPatch, length: bytes
) -> None:
    """A HEAD answer has no body, yet its ``Content-Length`` is the GET's (RFC 9110): the
    upstream's passes through, and none is made up from the empty body."""

    def answer(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(b"HTTP/1.1 200 OK\r\n%bConnection: close\r\n\r\n" % length)

    for port in serve_connections(answer):
        route_to(monkeypatch, probe_route, port)
        with TestClient(app) as client:
            headers = client.head(f"/api/{probe_route}/x").headers
    assert headers.get("content-length") == ("1234" if length else None)


@pytest.mark.parametrize("path", ["/elsewhere", "/no-such-page/p-1", "/apis/catalog/x"])
def test_only_paths_under_api_reach_the_proxy(aws: None, path: str) -> None:
    """Every other path is the app's own (the demo's pages): a 404 here, not the proxy's
    "no route" answer."""
    with TestClient(app) as client:
        answer = client.get(path)
    assert answer.status_code == 404
    assert "no route /api" not in answer.json()["detail"]
