"""The HTTP/1.1 server durable Moto serves on, over real sockets, against a WSGI app that
echoes what it was given: framing, persistent connections, headers, and stopping."""

import http.client
import json
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY

from durable_moto.httpserver import HttpServer

BLOCK = "/block"


class Echo:
    """Answers each request with what the server put in its environ, as JSON."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        self.calls += 1
        if environ["PATH_INFO"] == BLOCK:
            self.entered.set()
            self.release.wait(10)
        body = environ["wsgi.input"].read()
        shown = {k: v for k, v in environ.items() if isinstance(v, str | int | dict)}
        answer = json.dumps({"environ": shown, "body_length": len(body), "body": body[:64].hex()})
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))]
        if environ.get("HTTP_X_CLOSE"):
            headers.append(("Connection", "close"))
        start_response("200 OK", headers)
        return [answer.encode()]


@pytest.fixture
def served() -> Iterator[tuple[HttpServer, Echo]]:
    app = Echo()
    server = HttpServer("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, app
    app.release.set()
    server.shutdown(timeout=10)
    thread.join(10)


def _raw(server: HttpServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


_unread: dict[int, bytes] = {}
"""Bytes received past the response read so far, per socket (pipelined answers)."""


def _read_response(sock: socket.socket) -> tuple[str, dict[str, str], bytes]:
    """One response off a raw socket, framed by its Content-Length."""
    data = _unread.pop(sock.fileno(), b"")
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a whole head: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        rest += sock.recv(65536)
    _unread[sock.fileno()] = rest[length:]
    return status, headers, rest[:length]


def _echo(body: bytes) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(body)
    return answer


def test_one_connection_carries_many_requests(served: tuple[HttpServer, Echo]) -> None:
    server, app = served
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    ports = set()
    for n in range(5):
        connection.request("POST", f"/n/{n}", body=b"x" * n)
        answer = _echo(connection.getresponse().read())
        assert answer["body_length"] == n
        ports.add(answer["environ"]["REMOTE_PORT"])
    assert len(ports) == 1
    assert app.calls == 5
    connection.close()


def test_chunked_body_arrives_whole_with_its_length(served: tuple[HttpServer, Echo]) -> None:
    server, _ = served
    with _raw(server) as sock:
        sock.sendall(
            b"PUT /bucket/key HTTP/1.1\r\nHost: s3.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n"
            b"GET /after HTTP/1.1\r\nHost: s3.localhost\r\n\r\n"
        )
        status, _, body = _read_response(sock)
        environ = _echo(body)["environ"]
        assert status == "HTTP/1.1 200 OK"
        assert bytes.fromhex(_echo(body)["body"]) == b"abcdefg"
        assert environ["CONTENT_LENGTH"] == "7"
        assert "HTTP_TRANSFER_ENCODING" not in environ
        # The trailer was consumed: the next request on the connection parses.
        assert _echo(_read_response(sock)[2])["environ"]["PATH_INFO"] == "/after"


def test_expect_continue_is_answered_before_the_body(served: tuple[HttpServer, Echo]) -> None:
    server, _ = served
    with _raw(server) as sock:
        sock.sendall(
            b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            interim += sock.recv(1)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hello")
        status, _, body = _read_response(sock)
        assert status == "HTTP/1.1 200 OK"
        assert _echo(body)["body_length"] == 5


def test_large_body_round_trip(served: tuple[HttpServer, Echo]) -> None:
    server, _ = served
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("PUT", "/big", body=b"z" * (8 * 1024 * 1024 + 3))
    assert _echo(connection.getresponse().read())["body_length"] == 8 * 1024 * 1024 + 3


def test_head_sends_no_body_and_keeps_the_connection(served: tuple[HttpServer, Echo]) -> None:
    server, _ = served
    with _raw(server) as sock:
        sock.sendall(b"HEAD /obj HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while data.count(b"\r\n\r\n") < 2 or not data.endswith(b"}"):
            data += sock.recv(65536)
        head, _, rest = data.partition(b"\r\n\r\n")
        assert b"Content-Length: " in head  # the length a GET would have
        assert rest.startswith(b"HTTP/1.1 200 OK")  # no body bytes in between
        assert b'"PATH_INFO": "/next"' in rest


def test_connection_close_is_honoured(served: tuple[HttpServer, Echo]) -> None:
    server, _ = served
    for request in (
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Close: 1\r\n\r\n",  # the app says close
        b"GET / HTTP/1.0\r\n\r\n",  # HTTP/1.0 without keep-alive
    ):
        with _raw(server) as sock:
            sock.sendall(request)
            assert _read_response(sock)[0].endswith("200 OK")
            assert sock.recv(1) == b""


def test_http10_keep_alive_is_kept(served: tuple[HttpServer, Echo]) -> None:
    server, _ = served
    with _raw(server) as sock:
        for _ in range(2):
            sock.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            _, headers, _ = _read_response(sock)
            assert headers["connection"] == "keep-alive"


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"NONSENSE\r\n\r\n",
        b"GET / HTTP/2.0\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"PUT / HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
        b"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"PUT / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
    ],
)
def test_malformed_requests_get_400_and_a_closed_connection(
    served: tuple[HttpServer, Echo], request_bytes: bytes
) -> None:
    server, app = served
    with _raw(server) as sock:
        sock.sendall(request_bytes)
        status, headers, _ = _read_response(sock)
        assert status == "HTTP/1.1 400 Bad Request"
        assert headers["connection"] == "close"
        assert sock.recv(1) == b""
    assert app.calls == 0


def test_headers_as_werkzeug_and_moto_put_them(served: tuple[HttpServer, Echo]) -> None:
    server, _ = served
    with _raw(server) as sock:
        sock.sendall(
            b"GET /a%20b/%C3%BC?x=%20y HTTP/1.1\r\nHost: h\r\n"
            b"X-Amz-Meta-My_Key: kept\r\n"  # S3 metadata: underscore kept, under its name
            b"X_Forwarded_For: spoof\r\n"  # any other underscored header is dropped
            b"X-Amz-Meta-Two-Ways: dashed\r\nX-Amz-Meta-Two_Ways: ignored\r\n"
            b"X-Multi: 1\r\nX-Multi: 2\r\n"
            b"X-Folded: a\r\n b\r\n\r\n"
        )
        environ = _echo(_read_response(sock)[2])["environ"]
    assert environ["PATH_INFO"] == "/a b/ü".encode().decode("latin-1")
    assert environ["QUERY_STRING"] == "x=%20y"
    assert environ["RAW_URI"] == "/a%20b/%C3%BC?x=%20y"
    assert environ["HTTP_X_AMZ_META_MY_KEY"] == "kept"
    assert environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] == {
        "HTTP_X_AMZ_META_MY_KEY": "X-Amz-Meta-My_Key"
    }
    assert "HTTP_X_FORWARDED_FOR" not in environ
    assert environ["HTTP_X_AMZ_META_TWO_WAYS"] == "dashed"  # never the underscored one
    assert environ["HTTP_X_MULTI"] == "1,2"
    assert environ["HTTP_X_FOLDED"] == "a b"


def test_stop_finishes_requests_under_way_and_closes_idle_ones(
    served: tuple[HttpServer, Echo],
) -> None:
    server, app = served
    idle = _raw(server)
    idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    _read_response(idle)  # now idle, kept alive
    busy = _raw(server)
    busy.sendall(f"GET {BLOCK} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert app.entered.wait(10)
    stopper = threading.Thread(target=server.shutdown)
    stopper.start()
    assert idle.recv(1) == b""  # the idle connection is closed at once
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    assert stopper.is_alive()  # still waiting: a request is under way
    app.release.set()
    status, _, body = _read_response(busy)  # ... and it is answered in full
    assert status == "HTTP/1.1 200 OK"
    assert _echo(body)["environ"]["PATH_INFO"] == BLOCK
    stopper.join(10)
    assert not stopper.is_alive()
    assert busy.recv(1) == b""  # not kept open after the stop
    idle.close()
    busy.close()
