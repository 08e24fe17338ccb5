"""The proxy's own connections: bounded, never reused in a bad state, TLS verified."""

import asyncio
import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.gateway import connections
from services.gateway.connections import MAX_CONNECTIONS, UpstreamPool
from services.gateway.proxy import UpstreamFailure, forward
from tests.services.gateway.upstream_sockets import read_request, serve_connections


async def get(pool: UpstreamPool, url: str) -> tuple[int, bytes]:
    sent = await forward(pool, "catalog", "GET", url, [], b"")
    return sent.status, sent.body


def test_an_answer_that_is_not_http_is_a_502_not_a_hang() -> None:
    def garble(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    async def go(port: int) -> int:
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            with pytest.raises(UpstreamFailure) as failure:
                await get(pool, f"http://127.0.0.1:{port}/x")
            return failure.value.status

    for port in serve_connections(garble):
        assert asyncio.run(go(port)) == 502


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
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    async def go(port: int) -> list[int]:
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            url = f"http://127.0.0.1:{port}/x"
            statuses = [(await get(pool, url))[0], (await get(pool, url))[0]]
            await asyncio.sleep(0.2)
            return [*statuses, (await get(pool, url))[0]]

    for port in serve_connections(keep_answering, concurrently=True):
        assert asyncio.run(go(port)) == [200] * 3
    assert len(accepted) == 2


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

    async def go() -> UpstreamFailure:
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            with pytest.raises(UpstreamFailure) as failure:
                await get(pool, f"https://127.0.0.1:{tls_upstream}/x")
            return failure.value

    failure = asyncio.run(go())
    assert failure.status == 503
    assert "TLS failed" in failure.detail


def test_an_upstream_url_that_is_not_http_is_a_502() -> None:
    async def go() -> int:
        async with UpstreamPool(5, connect_timeout_seconds=1) as pool:
            with pytest.raises(UpstreamFailure) as failure:
                await get(pool, "ftp://127.0.0.1:21/x")
            return failure.value.status

    assert asyncio.run(go()) == 502
