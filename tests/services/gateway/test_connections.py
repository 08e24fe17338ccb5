"""The proxy's own connections: bounded, never reused in a bad state, TLS verified."""

import asyncio
import datetime
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.gateway import connections
from services.gateway.connections import MAX_CONNECTIONS, Origin, UpstreamPool
from services.gateway.proxy import UpstreamFailure, forward
from tests.services.gateway.upstream_sockets import failure_of, ok, read_request, serve_connections


async def get(pool: UpstreamPool, url: str) -> tuple[int, bytes]:
    sent = await forward(pool, "catalog", "GET", url, [], b"")
    return sent.status, sent.body


def open_sockets() -> int:
    """Sockets this process holds (the test's upstream's included)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            continue
    return count


def answering_twice(late: float | None) -> Callable[[socket.socket], None]:
    """Answers request n with ``r<n>``, and the first one twice: the second time in the
    same packet (``late`` None), or ``late`` seconds later, when the connection is idle."""
    count = [0]

    def handle(connection: socket.socket) -> None:
        first = True
        try:
            while read_request(connection):
                count[0] += 1
                answer = ok(b"r%d" % count[0])
                if first and late is None:
                    answer += ok(b"STALE")
                connection.sendall(answer)
                if first and late is not None:
                    time.sleep(late)
                    connection.sendall(ok(b"STALE"))
                first = False
        except OSError:  # the gateway gave the connection up
            return

    return handle


async def posts(port: int, count: int, *, block_loop: bool = False) -> list[bytes | int]:
    """What each of ``count`` POSTs, 0.2 s apart, got: the body, or the failure's status.
    ``block_loop``: the event loop is busy meanwhile (one long iteration, as under load),
    so what arrives in between stays in the socket, not yet read."""
    results: list[bytes | int] = []
    async with UpstreamPool(2, connect_timeout_seconds=1) as pool:
        url = f"http://127.0.0.1:{port}/x"
        for _ in range(count):
            try:
                results.append((await forward(pool, "orders", "POST", url, [], b"{}")).body)
            except UpstreamFailure as failure:
                results.append(failure.status)
            if block_loop:
                time.sleep(0.2)
            else:
                await asyncio.sleep(0.2)
    return results


@pytest.mark.parametrize("late", [None, 0.05], ids=["same packet", "while idle"])
def test_an_answer_sent_twice_never_answers_a_later_request(late: float | None) -> None:
    """Each request gets its own answer: the connection that brought an extra one is not
    used again (else every later request on it got the answer before its own)."""
    for port in serve_connections(answering_twice(late), concurrently=True):
        assert asyncio.run(posts(port, 3)) == [b"r1", b"r2", b"r3"]


def test_an_answer_sent_twice_and_still_unread_never_answers_a_later_request() -> None:
    for port in serve_connections(answering_twice(0.05), concurrently=True):
        assert asyncio.run(posts(port, 2, block_loop=True)) == [b"r1", b"r2"]


def test_an_upstreams_close_still_unread_sends_the_next_post_on_a_new_connection() -> None:
    """The upstream answered and closed without saying so first (a server stopping): the
    next POST does not go out on the dead connection, to fail there as a 502."""

    def answer_then_close(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(ok(b"fine"))

    for port in serve_connections(answer_then_close, concurrently=True):
        assert asyncio.run(posts(port, 2, block_loop=True)) == [b"fine", b"fine"]


def test_an_upstreams_goodbye_on_an_idle_connection_is_not_the_next_answer() -> None:
    """A server closing an idle connection may say 408 first: the next request goes out
    on a new connection, and gets its own answer, not a 408 for a request never handled."""

    def answer_then_say_goodbye(connection: socket.socket) -> None:
        try:
            read_request(connection)
            connection.sendall(ok(b"first"))
            time.sleep(0.05)
            connection.sendall(
                b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            connection.shutdown(socket.SHUT_WR)
            time.sleep(1)
        except OSError:
            return

    async def go(port: int) -> list[int]:
        async with UpstreamPool(2, connect_timeout_seconds=1) as pool:
            url = f"http://127.0.0.1:{port}/x"
            first = await forward(pool, "orders", "POST", url, [], b"{}")
            await asyncio.sleep(0.2)
            second = await forward(pool, "orders", "POST", url, [], b"{}")
            return [first.status, second.status]

    for port in serve_connections(answer_then_say_goodbye, concurrently=True):
        assert asyncio.run(go(port)) == [200, 200]


def test_a_retry_goes_out_on_a_new_connection_not_another_dropped_one() -> None:
    """Five idle connections the upstream drops when each is used again: the GET that meets
    one is sent once more on a new connection, not on the next dropped one."""
    accepted: list[int] = []

    def answer_once(connection: socket.socket) -> None:
        accepted.append(1)
        read_request(connection)
        time.sleep(0.1)  # so the five first requests each open a connection
        connection.sendall(ok(b"ok"))
        read_request(connection)  # the next one on this connection: hang up

    async def go(port: int) -> tuple[int, bytes]:
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            url = f"http://127.0.0.1:{port}/x"
            await asyncio.gather(*[get(pool, url) for _ in range(5)])
            return await get(pool, url)

    for port in serve_connections(answer_once, concurrently=True):
        assert asyncio.run(go(port)) == (200, b"ok")
    assert len(accepted) == 6


def test_an_answer_larger_than_the_bound_is_a_502_and_asked_for_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An upstream sending a body without end is cut off at ``MAX_ANSWER_BYTES``, and the
    GET is not sent again: the failure is its answer, not a dropped connection."""
    monkeypatch.setattr(connections, "MAX_ANSWER_BYTES", 256 * 1024)
    requests: list[int] = []

    def endless(connection: socket.socket) -> None:
        read_request(connection)
        requests.append(1)
        connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%b\r\n" % (4096, b"x" * 4096)
        try:
            while True:
                connection.sendall(chunk)
        except OSError:
            return

    for port in serve_connections(endless, concurrently=True):
        started = time.monotonic()
        failure = failure_of(f"http://127.0.0.1:{port}/x", timeout=30)
        seconds = time.monotonic() - started
    assert failure.status == 502
    assert "larger than 262144 bytes" in failure.detail
    assert seconds < 20  # not the 30 s timeout: the bound ended it
    assert len(requests) == 1


@pytest.mark.parametrize("after", [b"", b"junk" * 150], ids=["alone", "junk after it"])
def test_an_answer_whose_body_is_exactly_the_bound_passes_whole(
    monkeypatch: pytest.MonkeyPatch, after: bytes
) -> None:
    """The bound is on the body: the head, and bytes after the answer (which only make the
    connection unfit for another request) do not count."""
    monkeypatch.setattr(connections, "MAX_ANSWER_BYTES", 1000)

    def exact(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(ok(b"b" * 1000) + after)

    async def go(port: int) -> tuple[int, bytes]:
        async with UpstreamPool(2, connect_timeout_seconds=1) as pool:
            return await get(pool, f"http://127.0.0.1:{port}/x")

    for port in serve_connections(exact, concurrently=True):
        assert asyncio.run(go(port)) == (200, b"b" * 1000)


@pytest.mark.parametrize(
    "answer",
    [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 100 Continue\r\n\r\n" * 100],
    ids=["not http", "1xx without end"],
)
def test_a_broken_answer_on_a_new_connection_is_a_502_and_asked_for_once(answer: bytes) -> None:
    requests: list[int] = []

    def garble(connection: socket.socket) -> None:
        read_request(connection)
        requests.append(1)
        connection.sendall(answer)
        time.sleep(0.5)

    for port in serve_connections(garble, concurrently=True):
        assert failure_of(f"http://127.0.0.1:{port}/x").status == 502
    assert len(requests) == 1


def test_an_ipv6_upstreams_host_field_has_its_address_in_brackets() -> None:
    assert Origin("http", "::1", 8000).host_header == b"[::1]:8000"
    assert Origin("https", "orders.example", 443).host_header == b"orders.example"


def test_a_timed_out_exchange_never_hands_its_late_answer_to_the_next_request() -> None:
    """The first request's answer comes after the gateway gave up on it (504). Its
    connection is closed then: the next request gets its own answer on a new connection,
    not the late one still on the way."""
    accepted: list[int] = []

    def answer_late_then_promptly(connection: socket.socket) -> None:
        accepted.append(1)
        while read_request(connection):
            late = len(accepted) == 1
            if late:
                threading.Event().wait(0.6)
            body = b"late" if late else b"mine"
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n" + body)
            except OSError:
                return

    async def go(port: int) -> tuple[int, tuple[int, bytes]]:
        async with UpstreamPool(0.3, connect_timeout_seconds=1) as pool:
            url = f"http://127.0.0.1:{port}/x"
            with pytest.raises(UpstreamFailure) as failure:
                await get(pool, url)
            await asyncio.sleep(0.5)  # the late answer is sent meanwhile
            return failure.value.status, await get(pool, url)

    for port in serve_connections(answer_late_then_promptly, concurrently=True):
        assert asyncio.run(go(port)) == (504, (200, b"mine"))
    assert len(accepted) == 2


def test_no_more_than_max_connections_reach_one_upstream_at_once() -> None:
    """One caller more than the bound waits for a connection, and is answered once one
    frees up."""
    received, release = threading.Semaphore(0), threading.Event()

    def hold(connection: socket.socket) -> None:
        read_request(connection)
        received.release()
        release.wait()
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    def count_received() -> int:
        count = 0
        while received.acquire(timeout=1 if count < MAX_CONNECTIONS else 0.3):
            count += 1
        return count

    async def go(port: int) -> tuple[int, list[int]]:
        async with UpstreamPool(30, connect_timeout_seconds=30) as pool:
            url = f"http://127.0.0.1:{port}/x"
            calls = [asyncio.create_task(get(pool, url)) for _ in range(MAX_CONNECTIONS + 1)]
            in_flight = await asyncio.to_thread(count_received)
            release.set()
            return in_flight, [(await call)[0] for call in calls]

    for port in serve_connections(hold, concurrently=True, backlog=MAX_CONNECTIONS + 1):
        try:
            in_flight, statuses = asyncio.run(go(port))
        finally:
            release.set()
    assert in_flight == MAX_CONNECTIONS
    assert statuses == [200] * (MAX_CONNECTIONS + 1)


def test_a_connection_idle_past_the_keepalive_expiry_is_not_reused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given up before the upstream's own idle timeout could close it under a request."""
    monkeypatch.setattr(connections, "KEEPALIVE_EXPIRY_SECONDS", 0.1)
    accepted: list[int] = []

    def keep_answering(connection: socket.socket) -> None:
        accepted.append(1)
        while read_request(connection):
            connection.sendall(ok(b"ok"))

    async def go(port: int) -> list[int]:
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            url = f"http://127.0.0.1:{port}/x"
            statuses = [(await get(pool, url))[0], (await get(pool, url))[0]]
            await asyncio.sleep(0.2)
            return [*statuses, (await get(pool, url))[0]]

    for port in serve_connections(keep_answering, concurrently=True):
        assert asyncio.run(go(port)) == [200] * 3
    assert len(accepted) == 2


def test_idle_connections_past_the_expiry_are_closed_while_requests_trickle_in() -> None:
    """A burst leaves many idle connections; one request every 0.5 s then needs only one.
    The others are closed as they expire, not kept (half closed once the upstream's own
    idle timeout ends them) for as long as the trickle lasts."""

    def keep_answering(connection: socket.socket) -> None:
        connection.settimeout(1.5)  # the upstream's own idle timeout
        try:
            while read_request(connection):
                time.sleep(0.1)
                connection.sendall(ok(b"ok"))
        except OSError:
            return

    async def go(port: int) -> int:
        url = f"http://127.0.0.1:{port}/x"
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            before = open_sockets()
            await asyncio.gather(*[get(pool, url) for _ in range(30)])
            for _ in range(8):
                await asyncio.sleep(0.5)
                await get(pool, url)
            return open_sockets() - before

    for port in serve_connections(keep_answering, concurrently=True):
        # the one in use, both ends, and at most one more each side about to expire
        assert asyncio.run(go(port)) <= 4


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def tls_upstream(certificate: tuple[Path, Path]) -> Iterator[int]:
    """Answers over TLS with that certificate (keep-alive)."""
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(*certificate)

    def answer(connection: socket.socket) -> None:
        try:
            with server_side.wrap_socket(connection, server_side=True) as secured:
                while read_request(secured):
                    secured.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret")
        except (ssl.SSLError, OSError):
            return

    yield from serve_connections(answer, concurrently=True)


def test_an_https_upstream_is_reached_over_tls_it_verifies(
    tls_upstream: int, certificate: tuple[Path, Path]
) -> None:
    """As the gateway on Lambda reaches the services' function URLs."""
    trusting = ssl.create_default_context(cafile=certificate[0])

    async def go() -> list[tuple[int, bytes]]:
        async with UpstreamPool(5, connect_timeout_seconds=1, tls=trusting) as pool:
            url = f"https://127.0.0.1:{tls_upstream}/x"
            return [await get(pool, url), await get(pool, url)]

    assert asyncio.run(go()) == [(200, b"secret")] * 2


def test_an_https_upstream_whose_certificate_does_not_verify_is_unavailable(
    tls_upstream: int,
) -> None:
    """The system's trust store does not know the self-signed certificate: 503, and
    nothing is sent to it."""

    failure = failure_of(f"https://127.0.0.1:{tls_upstream}/x")
    assert failure.status == 503
    assert "TLS failed" in failure.detail


def test_an_upstream_url_that_is_not_http_is_a_502() -> None:
    assert failure_of("ftp://127.0.0.1:21/x").status == 502


def test_a_timed_out_https_exchange_closes_its_socket_at_once(
    certificate: tuple[Path, Path],
) -> None:
    """Not after a TLS goodbye the upstream holding the request never sends (asyncio
    waits up to 30 s for it): a hanging function URL would pile up sockets."""
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(*certificate)
    release = threading.Event()

    def hold(connection: socket.socket) -> None:
        try:
            with server_side.wrap_socket(connection, server_side=True) as secured:
                secured.recv(65536)
                release.wait(10)
        except OSError:
            return

    async def go(port: int) -> int:
        trusting = ssl.create_default_context(cafile=certificate[0])
        before = open_sockets()
        async with UpstreamPool(0.3, connect_timeout_seconds=1, tls=trusting) as pool:
            for _ in range(5):
                with pytest.raises(UpstreamFailure):
                    await get(pool, f"https://127.0.0.1:{port}/x")
            await asyncio.sleep(1)
            return open_sockets() - before - 5  # the upstream's own 5 are still held

    for port in serve_connections(hold, concurrently=True):
        try:
            assert asyncio.run(go(port)) == 0
        finally:
            release.set()
