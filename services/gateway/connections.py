"""Keep-alive HTTP/1.1 connections to the upstreams: h11 over asyncio streams.

The proxy needs little of an HTTP client: one exchange at a time per connection,
its body read whole, connections kept alive and bounded per upstream. A general
client (httpcore, under httpx) adds per exchange locks, cancellation shields,
trace hooks and a compatibility layer over asyncio, which cost the gateway about
as much CPU as parsing the HTTP itself. Here each exchange is h11's events and
the stream's reads and writes, nothing more.

Failures are named for the proxy to map: :class:`ConnectFailed` before anything
was sent (refused, timed out, or TLS that does not verify), :class:`ExchangeFailed`
once the connection was in use (the upstream hung up, or answered something that is
not HTTP/1.1). The caller bounds the whole
exchange with its own timeout; a connection a timeout interrupts is closed, never
reused.
"""

import asyncio
import ssl
import time
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType

import h11

KEEPALIVE_EXPIRY_SECONDS = 2.0
"""Below uvicorn's 5 s keep-alive timeout, so the gateway gives up idle connections first."""
MAX_CONNECTIONS = 100
"""In flight to one upstream at once; more callers wait for a connection."""
MAX_IDLE_CONNECTIONS = 20
MAX_HEAD_BYTES = 100 * 1024
"""An answer's status line and headers may not exceed this (h11 refuses it then)."""
_READ_BYTES = 64 * 1024


DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    scheme: str
    """``http``, or ``https`` (the gateway on Lambda reaching the services' function URLs)."""
    host: str
    port: int

    @property
    def host_header(self) -> bytes:
        default = self.port == DEFAULT_PORTS[self.scheme]
        return (self.host if default else f"{self.host}:{self.port}").encode("latin-1")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    """As the upstream wrote them: names keep their case."""
    body: bytes


class ConnectFailed(Exception):
    """No connection to the upstream: nothing was sent."""


class ExchangeFailed(Exception):
    """The connection broke, or the upstream broke HTTP, during the exchange: the request
    may have reached the upstream. (Also a request h11 cannot write, which nothing that
    passed the gateway's own server and checks is: then nothing was sent.)"""


@dataclass(eq=False)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    http: h11.Connection = field(
        default_factory=lambda: h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
    )
    idle_since: float = 0.0

    def reusable(self, now: float) -> bool:
        """Still open on both ends, and idle for less than the upstream would keep it."""
        return (
            now - self.idle_since < KEEPALIVE_EXPIRY_SECONDS
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, request: h11.Request, body: bytes | None) -> Answer:
        http = self.http
        outgoing = http.send(request) or b""
        if body:
            outgoing += http.send(h11.Data(data=body)) or b""
        outgoing += http.send(h11.EndOfMessage()) or b""
        self.writer.write(outgoing)
        await self.writer.drain()
        response: h11.Response | None = None
        chunks: list[bytes] = []
        while True:
            event = http.next_event()
            if event is h11.NEED_DATA:
                http.receive_data(await self.reader.read(_READ_BYTES))
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage) and response is not None:
                return Answer(response.status_code, response.headers.raw_items(), b"".join(chunks))
            elif not isinstance(event, h11.InformationalResponse):
                raise ExchangeFailed(f"unexpected {type(event).__name__}")

    def kept_alive(self) -> bool:
        """Ready for the next exchange (both sides done and neither said close)."""
        if self.http.our_state is not h11.DONE or self.http.their_state is not h11.DONE:
            return False
        self.http.start_next_cycle()
        self.idle_since = time.monotonic()
        return True


class UpstreamPool:
    """Keep-alive connections to each upstream, with the gateway's timeouts.

    Each upstream has connections of its own: with one bound for all, an upstream
    holding every request it gets would leave no connection for the others.
    """

    def __init__(
        self,
        timeout_seconds: float,
        connect_timeout_seconds: float,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.connect_timeout_seconds = connect_timeout_seconds
        self._tls = tls
        self._idle: dict[Origin, deque[_Connection]] = {}
        self._slots: dict[Origin, asyncio.Semaphore] = {}

    async def __aenter__(self) -> "UpstreamPool":
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for idle in self._idle.values():
            while idle:
                idle.pop().close()

    async def send(
        self,
        origin: Origin,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | None,
    ) -> Answer:
        """One exchange on an idle connection to ``origin``, or on a new one. ``body`` None
        sends no ``Content-Length``; bytes (even empty) send their length."""
        framing = [(b"Host", origin.host_header)]
        if body is not None:
            framing.append((b"Content-Length", str(len(body)).encode()))
        try:
            request = h11.Request(method=method, target=target, headers=framing + headers)
        except h11.LocalProtocolError as error:  # a header the upstream could not parse
            raise ExchangeFailed(str(error)) from None
        slots = self._slots.setdefault(origin, asyncio.Semaphore(MAX_CONNECTIONS))
        async with slots:
            connection = self._reuse(origin) or await self._connect(origin)
            try:
                answer = await connection.exchange(request, body)
            except (OSError, h11.ProtocolError) as error:
                connection.close()
                raise ExchangeFailed(f"{type(error).__name__}: {error}") from None
            except BaseException:  # cancelled or timed out mid-exchange: never reused
                connection.close()
                raise
            self._release(origin, connection)
            return answer

    def _reuse(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used: the likeliest still open
            if connection.reusable(now):
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        try:
            async with asyncio.timeout(self.connect_timeout_seconds):
                reader, writer = await asyncio.open_connection(
                    origin.host,
                    origin.port,
                    ssl=self._tls_context() if origin.scheme == "https" else None,
                )
        except TimeoutError:
            raise ConnectFailed("connection timed out") from None
        except ssl.SSLError as error:  # includes a certificate that does not verify
            raise ConnectFailed(f"TLS failed: {error.reason or error}") from None
        except OSError:
            raise ConnectFailed("connection refused") from None
        return _Connection(reader, writer)

    def _tls_context(self) -> ssl.SSLContext:
        """The system's trusted certificates, loaded once, when an https upstream is first
        reached (most stacks have none)."""
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _release(self, origin: Origin, connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, deque())
        if not connection.kept_alive() or len(idle) >= MAX_IDLE_CONNECTIONS:
            connection.close()
            return
        idle.append(connection)
