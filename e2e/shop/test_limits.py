"""Hostile request targets and bodies get a clear 4xx at the gateway, and cost it nothing."""

import contextlib
import select
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from e2e.conftest import API_KEY
from e2e.raw_http import raw_request
from e2e.shop.test_errors import PROBLEM, assert_problem
from e2e.stacks import Stack


@pytest.mark.parametrize(
    "path", ["/catalog/products/%0a", "/catalog/products/a%00b", "/orders/%7f"]
)
def test_control_characters_in_the_path_are_400(api: httpx.Client, path: str) -> None:
    assert_problem(api.get(path), 400)


def test_a_url_over_64_kib_is_414(stack: Stack) -> None:
    status, headers, body = raw_request(
        stack.gateway_url, "GET", "/api/catalog/products?cursor=" + "x" * 70_000
    )
    assert (status, headers["content-type"], body["status"]) == (414, PROBLEM, 414)


def _send_chunked(
    stack: Stack, method: str, extra: str, total: int, chunk: int = 64 * 1024
) -> tuple[int, bytes]:
    """Send a chunked body of ``total`` bytes until the gateway answers (or stops reading);
    returns how many body bytes went out before that, and the answer."""
    address = urlsplit(stack.gateway_url)
    assert address.hostname is not None
    sent = 0
    with socket.create_connection((address.hostname, address.port), timeout=5) as conn:
        conn.sendall(
            f"{method} /api/catalog/products HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"{extra}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        piece = f"{chunk:x}\r\n".encode() + b"x" * chunk + b"\r\n"
        try:
            while sent < total and not select.select([conn], [], [], 0)[0]:
                conn.sendall(piece)
                sent += chunk
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the gateway answered and stopped reading: what the test wants to see
        conn.settimeout(30)
        answer = b""
        with contextlib.suppress(ConnectionResetError, TimeoutError):
            while not answer.endswith(b"}") and (data := conn.recv(65536)):
                answer += data
    return sent, answer


@pytest.mark.parametrize(
    ("method", "extra"), [("GET", ""), ("POST", f"X-API-Key: {API_KEY}\r\n")], ids=["GET", "POST"]
)
def test_an_oversized_body_is_refused_while_it_streams(
    stack: Stack, method: str, extra: str
) -> None:
    """No Content-Length, so only counting while reading can refuse it: the 413 must come
    before the client could send most of 256 MiB (the gateway stops reading at 1 MiB)."""
    total = 256 * 1024 * 1024
    sent, answer = _send_chunked(stack, method, extra, total)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < total // 4, f"the gateway let {sent} of {total} bytes in before answering"
