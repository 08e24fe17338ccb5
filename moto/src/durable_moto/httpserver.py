"""A lean threaded HTTP/1.1 server for Moto's WSGI app, on the standard library alone.

Plain ``moto_server`` serves on werkzeug's development server, whose per-request
work (headers parsed by the ``email`` package, a response written line by line,
Nagle's algorithm left on) costs about as much as the durable layer adds. This
server does what Moto's clients need and nothing else: persistent connections,
``Transfer-Encoding: chunked`` and ``Expect: 100-continue`` request bodies,
HEAD, bodies of any size, and the environ werkzeug builds (the same PATH_INFO
decoding, ``RAW_URI``, and S3 metadata headers with underscores kept under their
original names, as Moto's own request handler does). One thread per connection,
as werkzeug's threaded mode.

Stopping finishes the requests under way, answers nothing new, and returns
only when the last one has been answered, so a final snapshot sees every write.
"""

import contextlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate
from io import BufferedReader, BytesIO
from socket import SocketIO
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    environ_key_for_header,
    should_preserve_original_header_name,
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
logger = logging.getLogger("durable_moto")

MAX_LINE = 65536
MAX_HEADERS = 256
SERVER_SOFTWARE = "durable-moto"
_NO_BODY_STATUS = ("1", "204", "304")


class BadRequest(Exception):
    """The request cannot be parsed: answered 400 and the connection closed."""


def _latin1(text: str) -> str:
    """WSGI's native strings: UTF-8 bytes seen as latin-1 (as werkzeug passes them)."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


class _Date:
    """The Date header, formatted once a second rather than once a response."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def __call__(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._value = formatdate(now, usegmt=True)
            self._second = now
        return self._value


class HttpServer:
    def __init__(self, host: str, port: int, app: WsgiApp) -> None:
        self.app = app
        self.socket = socket.create_server((host, port), backlog=128)
        self.host = host
        self.port: int = self.socket.getsockname()[1]
        self._lock = threading.Condition()
        self._idle: set[socket.socket] = set()
        self._busy = 0
        self._stopping = False
        self._date = _Date()

    # -- life cycle ------------------------------------------------------------

    def serve_forever(self) -> None:
        """Accept until ``shutdown``; each connection gets a thread of its own."""
        while True:
            try:
                connection, address = self.socket.accept()
            except OSError:
                if self._stopping:
                    return
                time.sleep(0.05)  # out of file descriptors, say: back off, do not spin
                continue
            with self._lock:
                if self._stopping:
                    connection.close()
                    return
                self._idle.add(connection)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(
                target=self._serve_connection, args=(connection, address), daemon=True
            ).start()

    def shutdown(self, timeout: float = 60.0) -> None:
        """Stop accepting, close idle connections, wait for the requests under way."""
        with self._lock:
            self._stopping = True
            _shut(self.socket)  # wakes the accept loop
            self.socket.close()  # and refuses new connections from now on
            for connection in self._idle:
                _shut(connection)
            self._lock.wait_for(lambda: self._busy == 0, timeout=timeout)

    # -- one connection --------------------------------------------------------

    def _serve_connection(self, connection: socket.socket, address: Any) -> None:
        reader = BufferedReader(SocketIO(connection, "rb"), MAX_LINE)
        try:
            while True:
                line = reader.readline(MAX_LINE + 1)
                if not line:
                    return
                if line in (b"\r\n", b"\n"):  # a stray line end between requests (RFC 9112 2.2)
                    continue
                with self._lock:
                    if self._stopping:
                        return
                    self._idle.discard(connection)
                    self._busy += 1
                try:
                    keep_alive = self._handle(connection, reader, line, address)
                finally:
                    with self._lock:
                        self._busy -= 1
                        if keep_alive and not self._stopping:
                            self._idle.add(connection)
                        self._lock.notify_all()
                if not keep_alive:
                    return
        except OSError:
            return  # the client went away
        finally:
            with self._lock:
                self._idle.discard(connection)
            reader.close()
            connection.close()

    def _handle(
        self, connection: socket.socket, reader: BinaryIO, line: bytes, address: Any
    ) -> bool:
        """Answer one request; whether the connection may carry another."""
        try:
            environ = self._read_request(connection, reader, line, address)
        except BadRequest as error:
            self._send(
                connection, "400 Bad Request", [("Connection", "close")], [str(error).encode()]
            )
            return False
        keep_alive = _wants_keep_alive(environ)
        status, headers, body = self._call_app(environ)
        if any(k.lower() == "connection" and v.lower() == "close" for k, v in headers):
            keep_alive = False
        elif keep_alive and environ["SERVER_PROTOCOL"] == "HTTP/1.0":
            headers.append(("Connection", "keep-alive"))
        if environ["REQUEST_METHOD"] == "HEAD" or status.startswith(_NO_BODY_STATUS):
            body = []
        self._send(connection, status, headers, body, head=environ["REQUEST_METHOD"] == "HEAD")
        return keep_alive and not self._stopping

    def _read_request(
        self, connection: socket.socket, reader: BinaryIO, line: bytes, address: Any
    ) -> dict[str, Any]:
        if len(line) > MAX_LINE:
            raise BadRequest("request line too long")
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequest(f"not an HTTP/1.x request line: {line[:100]!r}")
        method, target, version = parts
        url = urlsplit(target)
        path = f"/{url.netloc}{url.path}" if not url.scheme and url.netloc else url.path
        environ: dict[str, Any] = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "SERVER_SOFTWARE": SERVER_SOFTWARE,
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": _latin1(unquote(path)),
            "QUERY_STRING": _latin1(url.query),
            "REQUEST_URI": _latin1(target),
            "RAW_URI": _latin1(target),
            "REMOTE_ADDR": address[0],
            "REMOTE_PORT": address[1],
            "SERVER_NAME": self.host,
            "SERVER_PORT": str(self.port),
            "SERVER_PROTOCOL": version,
        }
        preserved: dict[str, str] = {}
        self._read_headers(reader, environ, preserved)
        environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = preserved
        if url.scheme and url.netloc:  # an absolute target names the host (RFC 9112 3.2.2)
            environ["HTTP_HOST"] = url.netloc
        if version == "HTTP/1.1" and environ.get("HTTP_EXPECT", "").lower() == "100-continue":
            connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self._read_body(reader, environ)
        environ["wsgi.input"] = BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return environ

    @staticmethod
    def _read_headers(reader: BinaryIO, environ: dict[str, Any], preserved: dict[str, str]) -> None:
        """Headers into the environ as werkzeug and Moto's request handler put them."""
        fields: list[tuple[str, str]] = []
        while True:
            raw = reader.readline(MAX_LINE + 1)
            if len(raw) > MAX_LINE:
                raise BadRequest("header line too long")
            if raw in (b"\r\n", b"\n", b""):
                break
            text = raw.decode("latin-1").rstrip("\r\n")
            if text[0] in " \t" and fields:  # obsolete line folding
                name, value = fields[-1]
                fields[-1] = (name, f"{value} {text.strip()}")
                continue
            name, colon, value = text.partition(":")
            if not colon or not name or name != name.strip():
                raise BadRequest(f"malformed header line: {raw[:100]!r}")
            fields.append((name, value.strip()))
            if len(fields) > MAX_HEADERS:
                raise BadRequest("too many headers")
        dashed = set()
        for name, value in fields:
            if "_" in name:
                continue  # werkzeug's rule: X_Foo could otherwise pass for X-Foo
            key = environ_key_for_header(name)
            dashed.add(key)
            if key in environ and key.startswith("HTTP_"):
                value = f"{environ[key]},{value}"
            environ[key] = value
        values: dict[str, list[str]] = {}
        for name, value in fields:  # Moto's rule: S3 metadata keeps its underscores
            key = environ_key_for_header(name)
            if "_" in name and should_preserve_original_header_name(name) and key not in dashed:
                preserved.setdefault(key, name)
                values.setdefault(key, []).append(value)
        for key, joined in values.items():
            environ[key] = ",".join(joined)

    @staticmethod
    def _read_body(reader: BinaryIO, environ: dict[str, Any]) -> bytes:
        encoding = environ.pop("HTTP_TRANSFER_ENCODING", "")
        if encoding:
            if encoding.replace(" ", "").lower().split(",")[-1] != "chunked":
                raise BadRequest(f"unsupported Transfer-Encoding: {encoding}")
            return _read_chunked(reader)
        length = environ.get("CONTENT_LENGTH", "") or "0"
        if not length.isdigit():
            raise BadRequest(f"bad Content-Length: {length}")
        body = reader.read(int(length))
        if len(body) != int(length):
            raise OSError("the client closed the connection before sending its whole body")
        return body

    # -- the application and the answer ----------------------------------------

    def _call_app(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        captured: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured[:] = [status, list(headers)]
            return chunks.append

        chunks: list[bytes] = []
        try:
            result = self.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
        except Exception:
            logger.exception("error serving %s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])
            return "500 Internal Server Error", [("Connection", "close")], [b"internal error"]
        return captured[0], captured[1], chunks

    def _send(
        self,
        connection: socket.socket,
        status: str,
        headers: list[tuple[str, str]],
        body: list[bytes],
        *,
        head: bool = False,
    ) -> None:
        names = {name.lower() for name, _ in headers}
        lines = [f"HTTP/1.1 {status}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if "content-length" not in names and not head and not status.startswith(_NO_BODY_STATUS):
            lines.append(f"Content-Length: {sum(map(len, body))}")
        if "date" not in names:
            lines.append(f"Date: {self._date()}")
        if "server" not in names:
            lines.append(f"Server: {SERVER_SOFTWARE}")
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if len(body) == 1 and len(body[0]) < MAX_LINE:
            connection.sendall(head_bytes + body[0])  # one write: one packet for small answers
            return
        connection.sendall(head_bytes)
        for chunk in body:
            connection.sendall(chunk)


def _wants_keep_alive(environ: dict[str, Any]) -> bool:
    tokens = {t.strip().lower() for t in environ.get("HTTP_CONNECTION", "").split(",")}
    if environ["SERVER_PROTOCOL"] == "HTTP/1.0":
        return "keep-alive" in tokens
    return "close" not in tokens


def _read_chunked(reader: BinaryIO) -> bytes:
    """A chunked body, whole (RFC 9112 7.1); trailer fields are read and dropped."""
    parts: list[bytes] = []
    while True:
        size_line = reader.readline(MAX_LINE + 1)
        if not size_line:
            raise OSError("the client closed the connection inside a chunked body")
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest(f"bad chunk size: {size_text[:20]!r}") from None
        if size == 0:
            break
        chunk = reader.read(size)
        if len(chunk) != size or reader.readline(MAX_LINE + 1).strip():
            raise BadRequest("a chunk is not followed by its line end")
        parts.append(chunk)
    while reader.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
        pass  # trailer fields
    return b"".join(parts)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already gone
        sock.shutdown(socket.SHUT_RDWR)
