"""The HTTP/1.1 server durable Moto listens with: cheroot, a thread pool.

Why not the server plain ``moto_server`` uses: werkzeug's development server
starts a thread per connection and parses every request through
``http.server``; that cost is the same size as what durability adds (an fsync
per write), so durable Moto on it could not be as fast as plain Moto. cheroot
(CherryPy's production WSGI server) keeps idle keep-alive connections in a
selector and hands requests to a fixed pool of threads. ``bench/`` measures
the difference side by side.

Headers are handed to Moto the way ``moto_server`` hands them: a header whose
name has an underscore is dropped (WSGI cannot tell ``X_Foo`` from ``X-Foo``,
so one could spoof the other), except S3 object metadata, whose original name
Moto reads from ``PRESERVED_HEADER_NAMES_ENVIRON_KEY``. What cheroot refuses
before any application sees it (a malformed request line, headers over the
limit, a body whose extent is in doubt: see ``framing``) is answered as a
problem document like every other refusal, and the connection closed: its
framing can no longer be trusted.
"""

import contextlib
import email.utils
import io
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from cheroot import server, wsgi
from cheroot.workers import threadpool
from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    environ_key_for_header,
    should_preserve_original_header_name,
)

from durable_moto import framing
from durable_moto import wsgi as responses
from durable_moto.wsgi import WsgiApp

logger = logging.getLogger("durable_moto")

MAX_HEADER_BYTES = 64 * 1024
"""The request line and headers together; AWS's own limits are far below this."""

KEEP_ALIVE_CONNECTIONS = 1024
"""Idle keep-alive connections kept open. cheroot's default is 10: past that, it closes
every connection after its answer, and a stack holds more (each service's boto3 clients
keep a pool). Each then paid a new TCP connection per call, a third of the orders
service's CPU. An idle connection costs a file descriptor, not a thread."""


_UNSAID = {
    408: "the rest of the request did not arrive in time",
    501: "the only transfer coding this server reads is chunked",
}
"""What cheroot's refusals that come without a message are about."""


class MotoGateway(wsgi.Gateway_10):
    """cheroot's WSGI 1.0 gateway, handing Moto what ``moto_server`` hands it."""

    def get_environ(self) -> dict[str, Any]:  # type: ignore[override]  # its stub says None
        """The environ, with the body already read whole (``FramingError`` if it cannot be).

        Read before the app runs, so a body cut short never reaches Moto, and a
        refused one is refused before anything could be journaled. Nothing
        here streams a request body: durable Moto and Moto both read it whole.
        """
        headers: framing.Headers = self.req.inheaders
        body = framing.read_body(self.req.conn.rfile, headers, self.req.chunked_read)
        self.req.rfile = io.BytesIO(body)  # what cheroot drains before the next request
        environ: dict[str, Any] = super().get_environ()  # type: ignore[no-untyped-call]
        environ["RAW_URI"] = environ["REQUEST_URI"]  # the target as sent: S3 keys need it
        preserved: dict[str, str] = {}
        for raw in headers:
            if b"_" not in raw:
                continue
            name = raw.decode("latin-1")
            key = environ_key_for_header(name)
            dashed = raw.replace(b"_", b"-")
            if dashed in headers:  # never let an underscored header stand in for a dashed one
                environ[key] = headers[dashed].decode("latin-1")
            elif should_preserve_original_header_name(name):
                preserved[key] = name
            else:
                environ.pop(key, None)
        environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = preserved
        return environ


class _HttpDate:
    """The ``Date`` field's value, formatted once a second rather than once an answer
    (cheroot formats it for every answer: about 5 % of the server's CPU on a PutItem)."""

    def __init__(self) -> None:
        self._formatted: tuple[int, bytes] = (0, b"")

    def now(self) -> bytes:
        second, value = self._formatted  # one tuple, read and replaced whole: thread-safe
        current = int(time.time())
        if current != second:
            value = email.utils.formatdate(current, usegmt=True).encode("latin-1")
            self._formatted = (current, value)
        return value


_http_date = _HttpDate()


class ProblemRequest(server.HTTPRequest):
    """cheroot's request, with its own refusals written as problem documents.

    Among them a body whose framing is in doubt (``framing.FramingError``,
    raised as the gateway reads the body): 400.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inheaders = framing.Headers()  # cheroot fills it: a repeated length is remembered

    def respond(self) -> None:
        try:
            super().respond()
        except framing.FramingError as error:  # raised before the app ran: nothing sent yet
            self.simple_response(400, str(error))

    def send_headers(self) -> None:
        """An app that answers ``Connection: close`` has the connection closed, as it says;
        the ``Date`` field comes from a once-a-second cache."""
        if (b"Connection", b"close") in self.outheaders:
            self.close_connection = True
        if not any(name.lower() == b"date" for name, _ in self.outheaders):
            self.outheaders.append((b"Date", _http_date.now()))
        super().send_headers()

    def simple_response(self, status: str | int, msg: str = "") -> None:
        code = int(str(status)[:3])
        if code < 400:
            super().simple_response(status, msg)
            return
        detail = msg or _UNSAID.get(code, "the request could not be parsed")
        problem = responses.problem(code, detail)
        head = [
            f"{self.server.protocol} {problem.status}",
            f"Content-Length: {len(problem.body)}",
            "Content-Type: application/problem+json",
            "Connection: close",
        ]
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may be gone already
            self.conn.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + problem.body)


class ProblemConnection(server.HTTPConnection):
    RequestHandlerClass = ProblemRequest


class WorkerPool(threadpool.ThreadPool):
    """cheroot's pool of worker threads, started in the background.

    cheroot starts the whole pool (64 threads here) before the server can
    answer, each thread started only once the one before runs, and sleeps
    0.1 s for each new worker not yet running: on a busy machine that took
    0.03 to 0.2 s of a start, while plain ``moto_server`` starts in about
    0.45 s. Nothing needs every worker before the server listens: an accepted
    connection waits in the pool's queue until a worker takes it, so the
    first request is served as soon as the first worker runs.
    """

    _threads: list[threadpool.WorkerThread]  # cheroot's, not in its type stubs
    _spawn_worker: Callable[[], threadpool.WorkerThread]

    def start(self) -> None:
        self._growing = threading.Thread(
            target=self.grow, args=(self.min,), name="http-pool", daemon=True
        )
        self._growing.start()

    def grow(self, amount: int) -> None:
        budget = max(self.max - len(self._threads), 0)
        for _ in range(min(amount, budget)):
            self._threads.append(self._spawn_worker())

    def stop(self, timeout: int = 5) -> None:
        """cheroot's, once every worker is there: it tells each one in its list to stop."""
        self._growing.join()
        super().stop(timeout)


class _Server(wsgi.Server):
    ConnectionClass = ProblemConnection
    max_request_header_size = MAX_HEADER_BYTES
    keep_alive_conn_limit = KEEP_ALIVE_CONNECTIONS

    def error_log(self, msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
        """cheroot's messages (a failing request, a socket error) in the server's own log."""
        logger.log(level, "http: %s", msg, exc_info=traceback)


class HttpServer:
    """A listening server: bound on construction, serving once ``start`` is called."""

    def __init__(self, host: str, port: int, app: WsgiApp, threads: int) -> None:
        self._server = _Server(
            (host, port), app, numthreads=threads, request_queue_size=128, timeout=60
        )
        self._server.gateway = MotoGateway
        self._server.requests = WorkerPool(self._server, min=threads)
        self._server.prepare()  # binds, so the port is known and taken from now on

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    @property
    def socket(self) -> socket.socket:
        """The listening socket: a forked snapshot writer closes its copy."""
        listening: socket.socket = self._server.socket
        return listening

    def start(self) -> None:
        threading.Thread(target=self._server.serve, name="http", daemon=True).start()

    def shutdown(self) -> None:
        """Stop accepting; requests under way get a few seconds to finish."""
        self._server.stop()
