"""Keep-alive HTTP/1.1 connections to the upstreams: h11 fed by an asyncio protocol.

The proxy needs little of an HTTP client: one exchange at a time per connection,
its body read whole, connections kept alive and bounded per upstream. A general
client (httpcore, under httpx) adds per exchange locks, cancellation shields,
trace hooks and a compatibility layer over asyncio, which cost the gateway about
as much CPU as parsing the HTTP itself. Here each exchange is h11's events and
the transport's bytes, nothing more.

An answer must not reach a request it does not belong to. So a connection is
used again only when its last exchange ended cleanly, and nothing arrived on it
since: bytes while it is idle (an answer sent twice, or late) or its end (an
upstream's goodbye, even with a ``408`` first) spoil it, and it is closed at
once. (What HTTP/1.1 leaves no client able to tell: an extra answer that comes
only after the next request went out on the connection reads as that request's.)
A connection a failure, a timeout or a cancellation interrupts is aborted, never
reused, and never kept waiting for a TLS goodbye.

Failures are named for the proxy to map: :class:`ConnectFailed` before anything
was sent (refused, timed out, or TLS that does not verify), :class:`ExchangeFailed`
once the connection was in use (the upstream hung up, answered something that is
not HTTP/1.1, or more than ``MAX_ANSWER_BYTES``), :class:`Unsendable` for a request
h11 cannot write (nothing that passed the gateway's own server is). The caller
bounds the whole exchange with its own timeout.
"""

import asyncio
import select
import ssl
import time
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import cast

import h11

KEEPALIVE_EXPIRY_SECONDS = 2.0
"""Below uvicorn's 5 s keep-alive timeout, so the gateway gives up idle connections first."""
MAX_CONNECTIONS = 100
"""In flight to one upstream at once; more callers wait for a connection."""
MAX_IDLE_CONNECTIONS = 20
MAX_HEAD_BYTES = 100 * 1024
"""An answer's status line and headers may not exceed this (h11 refuses it then)."""
MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""An answer's body is read whole before it is passed on: one larger than this (a service
looping on a body) is a 502, not a gateway that runs out of memory with every route on it."""
MAX_INFORMATIONAL_ANSWERS = 16
"""``1xx`` answers before the final one; more is an upstream looping, not HTTP."""

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    scheme: str
    """``http``, or ``https`` (the gateway on Lambda reaching the services' function URLs)."""
    host: str
    port: int

    @property
    def host_header(self) -> bytes:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        default = self.port == DEFAULT_PORTS[self.scheme]
        return (host if default else f"{host}:{self.port}").encode("latin-1")


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
    may have reached the upstream.

    ``stale`` when it could be a keep-alive connection the upstream dropped just as it
    was used again: reused, and not a byte of an answer came back.
    """

    def __init__(self, reason: str, *, stale: bool = False) -> None:
        super().__init__(reason)
        self.stale = stale


class Unsendable(Exception):
    """h11 cannot write the request as HTTP/1.1: nothing was sent."""


class _Connection(asyncio.Protocol):
    """One connection: h11's client state, fed with what the transport receives."""

    def __init__(self) -> None:
        self.http = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        self.transport = cast(asyncio.Transport, None)  # connection_made sets it
        self.idle_since = time.monotonic()
        self._busy = False
        self._spoiled = False
        self.received = 0
        """Bytes of the current exchange's answer so far."""
        self._failure: ExchangeFailed | None = None
        self._woken: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if not self._busy:  # nobody asked: a late or extra answer
            self.spoil()
            return
        self.received += len(data)
        self.http.receive_data(data)
        # One read at a time: h11 holds no more than that beyond what the exchange took.
        self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> None:
        if not self._busy:
            self.spoil()
            return
        self.http.receive_data(b"")  # h11 decides: the end of the body, or a hang-up
        self._wake()

    def connection_lost(self, error: Exception | None) -> None:
        self._spoiled = True
        if self._busy:
            self._fail(ExchangeFailed(f"connection lost: {error or 'closed'}"))

    def _fail(self, failure: ExchangeFailed) -> None:
        self._failure = self._failure or failure
        self._wake()

    def _wake(self) -> None:
        if self._woken is not None and not self._woken.done():
            self._woken.set_result(None)

    async def _more(self) -> None:
        """Wait for the transport to bring something (bytes, their end, or a failure)."""
        if self._failure is not None:
            raise self._failure
        self.transport.resume_reading()
        self._woken = asyncio.get_running_loop().create_future()
        try:
            await self._woken
        finally:
            self._woken = None

    def reusable(self, now: float) -> bool:
        """Nothing arrived since its last answer, not even unread in the socket, and idle
        for less than the upstream would keep it."""
        return (
            not self._spoiled
            and now - self.idle_since < KEEPALIVE_EXPIRY_SECONDS
            and not self.transport.is_closing()
            and not self._unread()
        )

    def _unread(self) -> bool:
        """Bytes or an end in the socket that the loop has not read yet (it was busy): a
        late answer, or the upstream's goodbye, that the protocol has not seen."""
        waiting = select.poll()
        waiting.register(self.transport.get_extra_info("socket").fileno(), select.POLLIN)
        return bool(waiting.poll(0))

    def spoil(self) -> None:
        """Never to be used again; its socket is closed now."""
        self._spoiled = True
        self.transport.abort()

    async def exchange(self, request: h11.Request, body: bytes | None) -> Answer:
        self._busy, self.received, self._failure = True, 0, None
        http = self.http
        outgoing = http.send(request) or b""
        if body:
            outgoing += http.send(h11.Data(data=body)) or b""
        outgoing += http.send(h11.EndOfMessage()) or b""
        self.transport.write(outgoing)
        response: h11.Response | None = None
        chunks: list[bytes] = []
        size = informational = 0
        while True:
            event = http.next_event()
            if event is h11.NEED_DATA:
                await self._more()
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > MAX_ANSWER_BYTES:
                    raise ExchangeFailed(f"answer larger than {MAX_ANSWER_BYTES} bytes")
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage) and response is not None:
                self._busy = False
                self.transport.resume_reading()  # idle, anything arriving spoils it
                return Answer(response.status_code, response.headers.raw_items(), b"".join(chunks))
            elif isinstance(event, h11.InformationalResponse):
                informational += 1
                if informational > MAX_INFORMATIONAL_ANSWERS:
                    raise ExchangeFailed(f"more than {MAX_INFORMATIONAL_ANSWERS} 1xx answers")
            else:
                raise ExchangeFailed(f"unexpected {type(event).__name__}")

    def kept_alive(self) -> bool:
        """Ready for the next exchange: both sides done, neither said close, and nothing
        came after the answer (a second answer in the same packet would be the next one's)."""
        http = self.http
        done = http.our_state is h11.DONE and http.their_state is h11.DONE
        if self._spoiled or not done or http.trailing_data[0]:
            return False
        http.start_next_cycle()
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
                idle.pop().spoil()

    async def send(
        self,
        origin: Origin,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | None,
        *,
        fresh: bool = False,
    ) -> Answer:
        """One exchange on an idle connection to ``origin`` (unless ``fresh``), or on a new
        one. ``body`` None sends no ``Content-Length``; bytes (even empty) send their length.

        Raises ``ExchangeFailed`` (``stale`` as it says), ``ConnectFailed`` or ``Unsendable``.
        """
        framing = [(b"Host", origin.host_header)]
        if body is not None:
            framing.append((b"Content-Length", str(len(body)).encode()))
        try:
            request = h11.Request(method=method, target=target, headers=framing + headers)
        except h11.LocalProtocolError:
            raise Unsendable("the request is not valid HTTP/1.1") from None
        slots = self._slots.setdefault(origin, asyncio.Semaphore(MAX_CONNECTIONS))
        async with slots:
            reused = None if fresh else self._reuse(origin)
            connection = reused or await self._connect(origin)
            try:
                answer = await connection.exchange(request, body)
            except (OSError, h11.ProtocolError, ExchangeFailed) as error:
                connection.spoil()
                stale = reused is not None and connection.received == 0
                reason = str(error) if isinstance(error, ExchangeFailed) else repr(error)
                raise ExchangeFailed(reason, stale=stale) from None
            except BaseException:  # cancelled or timed out mid-exchange
                connection.spoil()
                raise
            self._release(origin, connection)
            return answer

    def _reuse(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        if not idle:
            return None
        now = time.monotonic()
        _drop_unusable(idle, now)
        while idle:
            connection = idle.pop()  # the most recently used: the likeliest still open
            if connection.reusable(now):
                return connection
            connection.spoil()
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        tls = self._tls_context() if origin.scheme == "https" else None
        try:
            async with asyncio.timeout(self.connect_timeout_seconds):
                _, connection = await loop.create_connection(
                    _Connection, origin.host, origin.port, ssl=tls
                )
        except TimeoutError:
            raise ConnectFailed("connection timed out") from None
        except ssl.SSLError as error:  # includes a certificate that does not verify
            raise ConnectFailed(f"TLS failed: {error.reason or error}") from None
        except OSError:
            raise ConnectFailed("connection refused") from None
        return connection

    def _tls_context(self) -> ssl.SSLContext:
        """The system's trusted certificates, loaded once, when an https upstream is first
        reached (most stacks have none)."""
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _release(self, origin: Origin, connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, deque())
        _drop_unusable(idle, time.monotonic())
        if not connection.kept_alive() or len(idle) >= MAX_IDLE_CONNECTIONS:
            connection.spoil()
            return
        idle.append(connection)


def _drop_unusable(idle: deque[_Connection], now: float) -> None:
    """Close idle connections from the oldest on, while they have expired or been spoiled:
    otherwise a steady trickle of requests, each taking the newest, keeps the others open
    past the expiry (and past the upstream's own timeout)."""
    while idle and not idle[0].reusable(now):
        idle.popleft().spoil()
